/**
 * One run per checkpoint folder. Two runs writing into one folder overwrite
 * and prune each other's checkpoints; the first takes `run.lock` (its process
 * id and a random token), the second is refused. A lock whose process is gone
 * (kill -9, a crash) is stale and taken over. Outside Node there is no process
 * id to check: there a lock is stale when it was not refreshed (at every
 * checkpoint) for {@link STALE_LOCK_MS}.
 */
import { TunekitError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';
import { isNodeRuntime } from '@tunekit/backend-spec';
import { joinPath } from '../io/join-path';

/** Name of the lock file in the checkpoint folder. */
export const LOCK_FILE = 'run.lock';
/** Age after which a lock without a checkable process id counts as stale. */
export const STALE_LOCK_MS = 15 * 60 * 1000;

/** `run.lock`. */
interface LockContent {
  format: 'tunekit-run-lock';
  /** Process id of the holder (Node only). */
  pid?: number;
  /** Distinguishes this run from another in the same process. */
  token: string;
  /** When the lock was taken or last refreshed (ms since the epoch). */
  updatedAt: number;
}

/** The checkpoint folder is in use by another run. Code `checkpoint_locked`. */
export class CheckpointLockedError extends TunekitError {
  /** The lock file. */
  readonly path: string;
  /** Process id of the run holding it, when known. */
  readonly pid?: number;

  /**
   * @param path - the lock file
   * @param pid - the holder's process id, when known
   */
  constructor(path: string, pid?: number) {
    super('checkpoint_locked', `${path}: the checkpoint folder is in use by another run${pid !== undefined ? ` (process ${pid}${pid === currentPid() ? ', this one' : ''})` : ''}.`, {
      fix: `Wait for that run to end, or give this run another checkpoint.directory; if no run is using it, delete ${path}.`,
    });
    this.path = path;
    this.pid = pid;
  }
}

function currentPid(): number | undefined {
  return isNodeRuntime() ? (globalThis as unknown as { process: { pid: number } }).process.pid : undefined;
}

/** Whether process `pid` exists (Node: signal 0 checks without sending anything). */
function processAlive(pid: number): boolean {
  try {
    (globalThis as unknown as { process: { kill(pid: number, signal: 0): void } }).process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
}

async function readLock(files: FileIO, path: string): Promise<LockContent | undefined> {
  if (!(await files.exists(path))) return undefined;
  try {
    const content = JSON.parse(new TextDecoder().decode(await files.readFile(path))) as LockContent;
    return content?.format === 'tunekit-run-lock' ? content : undefined;
  } catch {
    return undefined; // unreadable: a lock cut short by a crash, stale
  }
}

function isStale(lock: LockContent, now: number): boolean {
  if (lock.pid !== undefined && isNodeRuntime()) return !processAlive(lock.pid);
  return now - lock.updatedAt > STALE_LOCK_MS;
}

/** A held lock: refresh it (outside Node, that keeps it alive) and release it. */
export interface CheckpointLock {
  /** Rewrites the lock's time stamp. */
  refresh(): Promise<void>;
  /** Removes the lock if it is still this run's. */
  release(): Promise<void>;
}

/**
 * Takes `directory/run.lock`, or throws {@link CheckpointLockedError} when a
 * live run holds it. A stale lock is taken over. Written atomically, then read
 * back: of two runs racing for a free folder, the one whose token is read back wins.
 */
export async function lockCheckpointFolder(files: FileIO, directory: string): Promise<CheckpointLock> {
  const path = joinPath(directory, LOCK_FILE);
  const held = await readLock(files, path);
  if (held && !isStale(held, Date.now())) throw new CheckpointLockedError(path, held.pid);
  const token = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const write = () => files.writeFileAtomic(path, `${JSON.stringify({ format: 'tunekit-run-lock', pid: currentPid(), token, updatedAt: Date.now() } satisfies LockContent)}\n`);
  await files.makeDirectory(directory);
  await write();
  const mine = await readLock(files, path);
  if (mine?.token !== token) throw new CheckpointLockedError(path, mine?.pid);
  return {
    refresh: write,
    async release() {
      if ((await readLock(files, path))?.token === token) await files.remove(path);
    },
  };
}
