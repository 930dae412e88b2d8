/** What a checkpoint records about a run, and restoring it. */
import { InvalidFileError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { DataPosition } from '../data/batch-order';
import type { TensorToWrite } from '../io/safetensors';
import type { AdamW } from './adamw';
import { type CheckpointData, type CheckpointFiles, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { EvalEvent, StepEvent } from './events';
import type { TaskKind } from './tasks/task';

/** Settings that must match for a resumed run to continue the same run. */
export interface RunFingerprint {
  /** Seed of the data order and dropout. */
  seed: number;
  /** Examples per batch. */
  batchSize: number;
  /** Batches per update. */
  gradientAccumulation: number;
  /** Number of training examples. */
  trainSize: number;
}

/** `trainer-state.json`. */
export interface TrainerState {
  /** Identifies the file. */
  format: 'tunekit-trainer-state';
  /** Version of this layout. */
  version: 1;
  /** The task trained. */
  task: TaskKind;
  /** Updates done (also the scheduler's position and AdamW's t). */
  step: number;
  /** Updates planned for the run that wrote it. */
  totalSteps: number;
  /** The next batch to draw. */
  position: DataPosition;
  /** State of the dropout-seed generator. */
  rngState: number;
  /** Real tokens trained on. */
  tokensSeen: number;
  /** Training time so far, ms. */
  elapsedMs: number;
  /** Settings a resumed run must share. */
  run: RunFingerprint;
  /** Early-stopping progress: the best metric so far (lower is better) and evaluations since it improved. */
  earlyStopping: { best: number | null; badEvals: number };
  /** Trainable variables and their shapes. */
  trainable: { name: string; shape: number[] }[];
  /** Every update and evaluation so far. */
  history: { steps: StepEvent[]; evals: EvalEvent[] };
}

/** Writes the run's state, trainable variables and optimizer moments as one checkpoint. */
export async function saveTrainerState(directory: string, state: TrainerState, variables: Map<string, tf.Variable>, optimizer: AdamW, options: { files?: CheckpointFiles; keep?: number }): Promise<string> {
  const trainable = new Map<string, TensorToWrite>();
  for (const [name, variable] of variables) trainable.set(name, { shape: [...variable.shape], data: (await variable.data()) as Float32Array });
  const moments = await optimizer.getState();
  const optimizerTensors = new Map<string, TensorToWrite>();
  for (const [name, { m, v, shape }] of moments.moments) {
    optimizerTensors.set(`${name}.exp_avg`, { shape, data: m });
    optimizerTensors.set(`${name}.exp_avg_sq`, { shape, data: v });
  }
  const data: CheckpointData<TrainerState> = { state, trainable, optimizer: optimizerTensors };
  return writeCheckpoint({ directory, step: state.step, data, ...options });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * Reads a checkpoint and restores the trainable variables and the optimizer
 * moments into this run. The checkpoint must hold exactly this run's
 * trainable variables, with the same shapes.
 */
export async function restoreTrainerState(path: string, variables: Map<string, tf.Variable>, optimizer: AdamW, files?: CheckpointFiles): Promise<{ state: TrainerState; path: string }> {
  const checkpoint = await readCheckpoint<TrainerState>(path, { files });
  const { state } = checkpoint;
  if (state?.format !== 'tunekit-trainer-state' || state.version !== 1) {
    throw new InvalidFileError(`${checkpoint.path}: not a tunekit trainer checkpoint (format ${String(state?.format)}, version ${String(state?.version)})`, { fix: 'Pass resumeFrom a folder that train() wrote with checkpoint set.' });
  }
  const saved = new Set(checkpoint.trainable.keys());
  const missing = [...variables.keys()].filter((name) => !saved.has(name));
  const extra = [...saved].filter((name) => !variables.has(name));
  if (missing.length || extra.length) {
    throw new InvalidFileError(
      `${checkpoint.path} does not match this run's trainable variables` +
        (missing.length ? `; not in the checkpoint: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : '') +
        (extra.length ? `; only in the checkpoint: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}` : '') +
        '',
      { fix: '(freeze the same parameters and attach the same heads/adapters as the run that wrote it)' },
    );
  }
  const moments = new Map<string, { m: Float32Array; v: Float32Array; shape: number[] }>();
  for (const [name, variable] of variables) {
    const tensor = checkpoint.trainable.get(name) as { shape: number[]; data: Float32Array | Int32Array };
    if (!sameShape(tensor.shape, variable.shape)) throw new InvalidFileError(`${checkpoint.path}: "${name}" has shape [${tensor.shape}], the model [${variable.shape}]`, { fix: 'Resume with the same model size and trainable parameters as the run that wrote it.' });
    const m = checkpoint.optimizer.get(`${name}.exp_avg`);
    const v = checkpoint.optimizer.get(`${name}.exp_avg_sq`);
    if (!m || !v) throw new InvalidFileError(`${checkpoint.path}: optimizer state of "${name}" is missing`, { fix: 'Resume from another checkpoint: this one is incomplete.' });
    moments.set(name, { m: Float32Array.from(m.data), v: Float32Array.from(v.data), shape: [...variable.shape] });
  }
  for (const [name, variable] of variables) {
    const tensor = checkpoint.trainable.get(name) as { data: Float32Array | Int32Array };
    tf.tidy(() => variable.assign(tf.tensor(Float32Array.from(tensor.data), variable.shape, 'float32')));
  }
  optimizer.setState({ step: state.step, moments });
  return { state, path: checkpoint.path };
}
