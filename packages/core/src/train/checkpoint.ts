/**
 * Training checkpoints: a directory `checkpoint-<step>` holding
 * `trainer-state.json` (step, data position, RNG, history…),
 * `trainable.safetensors` (the trainable variables) and
 * `optimizer.safetensors` (AdamW moments), plus a `latest` file naming the
 * newest one.
 *
 * Writing is crash-safe: the files go into `checkpoint-<step>.tmp`, which is
 * renamed to `checkpoint-<step>` only when complete, and `latest` is replaced
 * atomically last. A crash at any point leaves the previous checkpoint and
 * its pointer intact. (Without a rename — a browser file system — files are
 * written into the final directory, state file last, and `latest` still
 * moves only after everything is written.) A failed write (a full disk)
 * removes what it wrote and throws a {@link CheckpointWriteError} naming the
 * step and the file.
 */
import { InvalidFileError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';
import { joinPath } from '../io/join-path';
import { concatBytes, type DecodedTensor, parseSafetensors, safetensorsParts, type TensorToWrite } from '../io/safetensors';
import { resolveFiles } from '../backend/default-backend';
import { CheckpointWriteError } from './errors';

/**
 * File access for checkpoints: any {@link FileIO}. With `rename` a
 * checkpoint is staged and renamed into place; without it, it is written in
 * place with the state file last.
 */
export type CheckpointFiles = FileIO;

/** Where and how often the trainer writes checkpoints. */
export interface CheckpointOptions {
  /** Directory that holds the `checkpoint-<step>` directories and `latest`. */
  directory: string;
  /** Write one every this many updates. Default: only at the end of the run. */
  every?: number;
  /** Checkpoints to keep (oldest are removed). Default 2. */
  keep?: number;
  /** File access (default: the model's backend's). */
  files?: CheckpointFiles;
}

/** Name of the pointer file. */
export const LATEST_FILE = 'latest';
/** Name of the state file. */
export const TRAINER_STATE_FILE = 'trainer-state.json';
/** Name of the trainable-variables file. */
export const TRAINABLE_FILE = 'trainable.safetensors';
/** Name of the optimizer-state file. */
export const OPTIMIZER_FILE = 'optimizer.safetensors';

const CHECKPOINT_NAME = /^checkpoint-(\d+)$/;

/** The contents of a checkpoint. */
export interface CheckpointData<State> {
  /** The JSON state. */
  state: State;
  /** Trainable variables by name. */
  trainable: Map<string, TensorToWrite | DecodedTensor>;
  /** Optimizer tensors by name (`{variable}.exp_avg`, `{variable}.exp_avg_sq`). */
  optimizer: Map<string, TensorToWrite | DecodedTensor>;
}

/**
 * The checkpoint file access: the given one, else the model's backend's (so a
 * browser backend's storage needs no `checkpoint.files`), else the default
 * backend's (Node's file system in Node).
 */
export function checkpointFiles(files?: CheckpointFiles, model?: { backend?: { backend: { files?: FileIO } } }): CheckpointFiles {
  return resolveFiles(files, model?.backend);
}

async function writeTensors(files: FileIO, path: string, tensors: Map<string, TensorToWrite | DecodedTensor>): Promise<void> {
  const parts = safetensorsParts(tensors as Map<string, TensorToWrite>, { metadata: { format: 'pt' } });
  if (files.writeChunksAtomic) await files.writeChunksAtomic(path, parts);
  else await files.writeFileAtomic(path, concatBytes(parts));
}

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions<State> {
  /** The run's checkpoint directory; `checkpoint-<step>` is written under it. */
  directory: string;
  /** The step the checkpoint holds. */
  step: number;
  /** What to write. */
  data: CheckpointData<State>;
  /** File access (default: the active backend's, else Node's file system). */
  files?: CheckpointFiles;
  /** Checkpoints kept, newest first. Default 2. */
  keep?: number;
}

/**
 * Writes `checkpoint-<step>` under `directory`, points `latest` at it, and
 * removes all but the newest `keep`. Returns its path.
 */
export async function writeCheckpoint<State>(options: WriteCheckpointOptions<State>): Promise<string> {
  const { directory, step, data } = options;
  const files = checkpointFiles(options.files);
  const name = `checkpoint-${step}`;
  const final = joinPath(directory, name);
  const staging = `${final}.tmp`;
  try {
    await files.makeDirectory(directory);
    await files.remove(staging); // leftovers of an interrupted write
    await files.makeDirectory(staging);
    await writeTensors(files, joinPath(staging, TRAINABLE_FILE), data.trainable);
    await writeTensors(files, joinPath(staging, OPTIMIZER_FILE), data.optimizer);
    // The state file goes last: a directory without it is never a checkpoint.
    await files.writeFileAtomic(joinPath(staging, TRAINER_STATE_FILE), `${JSON.stringify(data.state)}\n`);
    await files.remove(final);
    await files.rename(staging, final);
    await files.writeFileAtomic(joinPath(directory, LATEST_FILE), `${name}\n`);
  } catch (error) {
    // `latest` still names the previous checkpoint; what was written of this
    // one is useless and may fill the disk, so it goes (best effort: the disk may be failing).
    await files.remove(staging).catch(() => undefined);
    if (!(await latestNames(files, directory, name))) await files.remove(final).catch(() => undefined);
    throw new CheckpointWriteError(final, step, error);
  }
  await pruneCheckpoints(files, directory, options.keep ?? 2, name);
  return final;
}

/** Whether `directory/latest` names `name`. */
async function latestNames(files: FileIO, directory: string, name: string): Promise<boolean> {
  try {
    return new TextDecoder().decode(await files.readFile(joinPath(directory, LATEST_FILE))).trim() === name;
  } catch {
    return false;
  }
}

/** Removes all but the newest `keep` checkpoints (never `current`), and stale staging directories. */
async function pruneCheckpoints(files: FileIO, directory: string, keep: number, current: string): Promise<void> {
  const entries = await files.listDirectory(directory);
  const steps = entries
    .map((entry) => ({ entry, match: CHECKPOINT_NAME.exec(entry) }))
    .filter((e): e is { entry: string; match: RegExpExecArray } => e.match !== null)
    .sort((a, b) => Number(b.match[1]) - Number(a.match[1]));
  const kept = new Set([current, ...steps.slice(0, Math.max(1, keep)).map((e) => e.entry)]);
  for (const { entry } of steps) if (!kept.has(entry)) await files.remove(joinPath(directory, entry));
  for (const entry of entries) if (/^checkpoint-\d+\.tmp$/.test(entry)) await files.remove(joinPath(directory, entry));
}

/**
 * The checkpoint directory that `path` designates: `path` itself when it
 * holds a `trainer-state.json`, else the one its `latest` file names.
 */
export async function resolveCheckpoint(path: string, options: { files?: FileIO } = {}): Promise<string> {
  const io = resolveFiles(options.files);
  if (await io.exists(joinPath(path, TRAINER_STATE_FILE))) return path;
  const pointer = joinPath(path, LATEST_FILE);
  if (await io.exists(pointer)) {
    const name = new TextDecoder().decode(await io.readFile(pointer)).trim();
    const target = joinPath(path, name);
    if (!CHECKPOINT_NAME.test(name) || !(await io.exists(joinPath(target, TRAINER_STATE_FILE)))) {
      throw new InvalidFileError(`${pointer} names "${name}", which is not a complete checkpoint`, { fix: 'Point resumeFrom at an earlier complete checkpoint-<step> folder, or delete the pointer file and pass one directly.' });
    }
    return target;
  }
  throw new InvalidFileError(`${path} is not a checkpoint: it has neither ${TRAINER_STATE_FILE} nor a ${LATEST_FILE} file`, { fix: 'Pass a checkpoint folder (checkpoint-<step>) or the checkpoint.directory a run wrote.' });
}

/** Reads a checkpoint written by {@link writeCheckpoint} (give its directory, or the parent with `latest`). */
export async function readCheckpoint<State>(path: string, options: { files?: FileIO } = {}): Promise<CheckpointData<State> & {
  /** The checkpoint directory that was read. */
  path: string;
}> {
  const io = resolveFiles(options.files);
  const directory = await resolveCheckpoint(path, { files: io });
  const statePath = joinPath(directory, TRAINER_STATE_FILE);
  let state: State;
  try {
    state = JSON.parse(new TextDecoder().decode(await io.readFile(statePath))) as State;
  } catch (error) {
    throw new InvalidFileError(`${statePath}: not valid JSON (${(error as Error).message})`, { fix: 'Resume from an earlier checkpoint: this one was cut short or edited.' });
  }
  const read = async (file: string) => parseSafetensors(await io.readFile(joinPath(directory, file)), { origin: joinPath(directory, file) }).tensors;
  return { path: directory, state, trainable: await read(TRAINABLE_FILE), optimizer: await read(OPTIMIZER_FILE) };
}
