/**
 * The training loop: seeded batches, gradient accumulation, global-norm
 * clipping, AdamW with warmup and decay, periodic evaluation, early stopping,
 * crash-safe checkpoints, and a resume that continues bit for bit.
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { BatchOrder, sequentialBatches } from '../data/batch-order';
import { checkInputLengths } from '../data/collate';
import { DataError, requireExamples } from '../data/data-error';
import type { CausalLMExample, ClassificationExample, PreferenceExample } from '../data/examples';
import type { GPT2Model } from '../model/gpt2-model';
import { countTrainable, type ParameterSource } from '../model/parameter-source';
import { SeededRandom } from '../util/random';
import { accumulateGradients } from './accumulate-gradients';
import { AdamW, type AdamWOptions } from './adamw';
import { checkpointFiles, type CheckpointOptions } from './checkpoint';
import { type CheckpointLock, lockCheckpointFolder } from './checkpoint-lock';
import { clipCoefficient, globalNorm } from './clip';
import { NonFiniteLossError } from './errors';
import { type CausalLMTaskSpec, type ClassificationTaskSpec, createTask, type DPOTaskSpec, evaluateBatches, type RewardTaskSpec } from './evaluate';
import type { EvalEvent, StepEvent, StopReason, TrainCallbacks, TrainResult } from './events';
import { claimModel } from './model-lock';
import { learningRateAt, type ScheduleOptions } from './schedule';
import type { Task } from './tasks/task';
import { trainableVariables } from './trainable-variables';
import { restoreTrainerState, saveTrainerState, type TrainerState } from './trainer-state';
import { validateData } from './validate-data';
import { validateRunLength, validateTrainSettings } from './validate-settings';

/** AdamW settings of a run. */
export interface OptimizerOptions extends Omit<AdamWOptions, 'weightDecay'> {
  /** Peak learning rate. Default 5e-5 (the chapters'). */
  learningRate?: number;
  /**
   * Decoupled weight decay λ. Default 0.1 (the chapters' λ). Which variables
   * decay is `decays`: by default rank ≥ 2 only (weight matrices and
   * embeddings, not biases or layer-norm gains, as nanoGPT and Hugging Face's
   * Trainer do). That is *not* the chapters' setting: their
   * `AdamW(model.parameters())` decays every parameter — pass
   * `decays: () => true` for it (see docs/training.md, Chapter settings).
   */
  weightDecay?: number;
}

/** Stop when the validation metric has not improved for `patience` evaluations. */
export interface EarlyStoppingOptions {
  /** Evaluations without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Validation metric to watch. Default `'loss'` (lower is better); `'accuracy'` is higher-is-better. */
  metric?: 'loss' | 'accuracy';
}

/** Causal-LM training data. */
export interface CausalLMTrainTask extends CausalLMTaskSpec {
  /** Training examples. */
  trainData: readonly CausalLMExample[];
  /** Validation examples, for evaluations and early stopping. */
  valData?: readonly CausalLMExample[];
}

/** Classification training data. */
export interface ClassificationTrainTask extends ClassificationTaskSpec {
  /** Training examples. */
  trainData: readonly ClassificationExample[];
  /** Validation examples, for evaluations and early stopping. */
  valData?: readonly ClassificationExample[];
}

/** Reward-model training data. */
export interface RewardTrainTask extends RewardTaskSpec {
  /** Training pairs. */
  trainData: readonly PreferenceExample[];
  /** Validation pairs, for evaluations and early stopping. */
  valData?: readonly PreferenceExample[];
}

/** DPO training data: pairs with answer masks (from `encodeDPOPairs`). */
export interface DPOTrainTask extends DPOTaskSpec {
  /** Training pairs. */
  trainData: readonly PreferenceExample[];
  /** Validation pairs, for evaluations and early stopping. */
  valData?: readonly PreferenceExample[];
}

/** The task, its head and its data. */
export type TrainTask = CausalLMTrainTask | ClassificationTrainTask | RewardTrainTask | DPOTrainTask;

/** Settings of a run (see {@link train}). */
export interface TrainSettings {
  /** The model; its variables with `trainable` set are trained. */
  model: GPT2Model;
  /** More variable owners to train (adapters, an `AdapterSet`); the head is added automatically. */
  sources?: readonly ParameterSource[];
  /** Examples per batch. Default 8. */
  batchSize?: number;
  /** Passes over the training data. Default 1; ignored when `maxSteps` is set. */
  epochs?: number;
  /** Optimizer updates in the run (overrides `epochs`). */
  maxSteps?: number;
  /** Batches whose gradients are averaged into one update. Default 1. */
  gradientAccumulation?: number;
  /** AdamW settings. */
  optimizer?: OptimizerOptions;
  /** Learning-rate schedule. Default: constant, no warmup. */
  schedule?: ScheduleOptions;
  /**
   * Recompute each transformer block in the backward pass instead of keeping
   * its activations (gradient or activation checkpointing): the tape holds
   * one [B, T, C] input per block, and the LM loss recomputes its logits per
   * chunk. Same losses and gradients (dropout masks are replayed), much less
   * memory, about one more forward pass of time. For large models, long
   * batches and the browser's wasm heap. Default false.
   */
  gradientCheckpointing?: boolean;
  /** Clip the global gradient norm to this value (> 0; 0 is refused, as it would zero every update). Default: no clipping. */
  gradientClip?: number;
  /** Evaluate every this many updates (and after the last). Default: never. */
  evalEvery?: number;
  /** Batches of training and of validation data per evaluation. Default: all validation batches, as many training batches. */
  evalBatches?: number;
  /** Evaluate once before the first update (step 0). Default true when `evalEvery` is set. */
  evalAtStart?: boolean;
  /** Early stopping on a validation metric (needs `valData` and `evalEvery`). */
  earlyStopping?: EarlyStoppingOptions;
  /** Where and how often to write checkpoints. */
  checkpoint?: CheckpointOptions;
  /** A checkpoint directory (or a checkpoint root with `latest`) to continue from. */
  resumeFrom?: string;
  /** Seed of the data order and dropout. Default 0. */
  seed?: number;
  /** Shuffle the training data each epoch. Default true. */
  shuffle?: boolean;
  /** Drop each epoch's last incomplete batch. Default true. */
  dropLast?: boolean;
  /** Observers (progress bar, logs, plots). */
  callbacks?: readonly TrainCallbacks[];
  /** Shorthand for a callback's `onStep`. */
  onStep?: TrainCallbacks['onStep'];
  /** Shorthand for a callback's `onEval`. */
  onEval?: TrainCallbacks['onEval'];
  /** Stops the run after the current update (a checkpoint is written if configured). */
  signal?: AbortSignal;
  /** Receives warnings about the data (examples that train on nothing). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Options of {@link train}. */
export type TrainOptions = TrainSettings & TrainTask;

/** Positions the active hooks occupy before the real tokens. */
function virtualPositions(model: GPT2Model): number {
  return (model.hooks?.promptEmbeddings?.length ?? 0) + (model.hooks?.attentionPrefix?.length ?? 0);
}

/**
 * Trains the trainable variables of the model, head and sources on a task.
 *
 * @example
 * ```ts
 * const result = await train({
 *   model, task: 'causal-lm', trainData, valData, batchSize: 8, epochs: 2,
 *   optimizer: { learningRate: 5e-5, weightDecay: 0.1 }, evalEvery: 5, evalBatches: 5,
 *   callbacks: [progressBar(), jsonLog('out/log.jsonl'), lossPlot('out/loss.svg')],
 * });
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  validateTrainSettings(options);
  // One run per model: a second train() (or a generate() outside this run's callbacks) is refused until this one ends.
  const claim = claimModel(options.model);
  try {
    return await runTraining(options, claim.paused);
  } finally {
    claim.release();
  }
}

/** The run itself, on a model claimed by {@link train}; `paused` wraps the callbacks, when generation is allowed. */
async function runTraining(options: TrainOptions, paused: <T>(work: () => Promise<T>) => Promise<T>): Promise<TrainResult> {
  const { model } = options;
  const batchSize = options.batchSize ?? 8;
  const accumulation = options.gradientAccumulation ?? 1;
  const seed = options.seed ?? 0;
  const task = createTask(model, options, { training: true }) as Task<unknown, unknown>;
  let trainData = requireExamples(options.trainData as readonly unknown[], { what: 'trainData' });
  let valData = options.valData ? requireExamples(options.valData as readonly unknown[], { what: 'valData' }) : undefined;
  validateData(options, trainData, valData, model.config.vocabSize, options.onWarning ?? ((message) => console.warn(message)));
  const limit = model.config.contextLength - virtualPositions(model);
  for (const [name, data] of [['trainData', trainData], ['valData', valData ?? []]] as const) {
    checkInputLengths(data.map((e) => ({ length: task.inputLength(e), source: (e as { source?: CausalLMExample['source'] }).source })), { limit, what: name });
  }

  const sources = [model, ...(options.head ? [options.head] : []), ...(options.sources ?? [])];
  const variables = trainableVariables(sources);
  if (variables.size === 0) throw new InvalidArgumentError('Nothing to train: every variable of the model, head and sources is frozen (see freeze())', { fix: 'Leave something trainable: attach an adapter, or call freeze(model, { trainable: [...] }) with the names to train.' });
  const order = new BatchOrder(trainData.length, { batchSize, seed, shuffle: options.shuffle, dropLast: options.dropLast });
  const updatesPerEpoch = Math.floor(order.batchesPerEpoch / accumulation);
  if (updatesPerEpoch < 1) {
    throw new DataError(`trainData has ${trainData.length} examples: fewer than one update of batchSize ${batchSize} × gradientAccumulation ${accumulation}`, { fix: 'Lower batchSize or gradientAccumulation, or add training examples.' });
  }
  const totalSteps = options.maxSteps ?? Math.max(1, Math.round((options.epochs ?? 1) * updatesPerEpoch));
  validateRunLength(options, totalSteps);
  const schedule = options.schedule ?? {};
  const peak = options.optimizer?.learningRate ?? 5e-5;
  const evalEvery = options.evalEvery;
  const stopping = options.earlyStopping;
  if (stopping && (!valData || !evalEvery)) throw new InvalidArgumentError('earlyStopping needs valData and evalEvery', { fix: 'Pass valData and evalEvery with earlyStopping, or leave earlyStopping out.' });
  const callbacks: TrainCallbacks[] = [...(options.callbacks ?? []), { onStep: options.onStep, onEval: options.onEval }];
  const emit = async <K extends keyof TrainCallbacks>(name: K, event: Parameters<NonNullable<TrainCallbacks[K]>>[0]) => {
    await paused(async () => {
      for (const callback of callbacks) await (callback[name] as ((e: typeof event) => unknown) | undefined)?.call(callback, event);
    });
  };

  // Per-example constants (DPO's reference log-probabilities), once, before any update and any resume.
  if (task.prepare) {
    trainData = await task.prepare(trainData);
    if (valData) valData = await task.prepare(valData);
  }

  // One run per checkpoint folder (a lock file with this process's id), taken before any tensor is made.
  // Checkpoint files: the given ones, else the model's backend's.
  const checkpointIO = checkpointFiles(options.checkpoint?.files, options.model);
  const lock: CheckpointLock | undefined = options.checkpoint ? await lockCheckpointFolder(checkpointIO, options.checkpoint.directory) : undefined;

  let optimizer: AdamW;
  try {
    optimizer = new AdamW(variables, { ...options.optimizer, weightDecay: options.optimizer?.weightDecay ?? 0.1 });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const tfNames = new Map([...variables].map(([name, variable]) => [variable.name, name]));
  const random = new SeededRandom(seed);
  const run = { seed, batchSize, gradientAccumulation: accumulation, trainSize: trainData.length };
  let state: TrainerState = {
    format: 'tunekit-trainer-state', version: 1, task: task.kind, step: 0, totalSteps, position: { epoch: 0, batch: 0 },
    rngState: random.getState(), tokensSeen: 0, elapsedMs: 0, run, earlyStopping: { best: null, badEvals: 0 },
    trainable: [...variables].map(([name, variable]) => ({ name, shape: [...variable.shape] })), history: { steps: [], evals: [] },
  };
  let lastCheckpoint: string | undefined;
  let lastCheckpointStep = -1;
  let resumedFrom: string | undefined;
  try {
    if (options.resumeFrom) {
      const restored = await restoreTrainerState(options.resumeFrom, variables, optimizer, checkpointIO);
      for (const key of Object.keys(run) as (keyof typeof run)[]) {
        if (restored.state.run[key] !== run[key]) throw new InvalidStateError(`${restored.path} was written by a run with ${key} ${restored.state.run[key]}, this run has ${run[key]};`, { fix: 'resume with the same settings' });
      }
      state = { ...restored.state, totalSteps };
      random.setState(state.rngState);
      lastCheckpoint = resumedFrom = restored.path;
      lastCheckpointStep = state.step;
    }
    const counts = countTrainable(sources);
    await emit('onStart', { task: task.kind, totalSteps, startStep: state.step, batchesPerEpoch: order.batchesPerEpoch, trainableParameters: counts.trainable, totalParameters: counts.total, resumedFrom, history: { steps: [...state.history.steps], evals: [...state.history.evals] } });

    const trainEvalBatches = sequentialBatches({ size: trainData.length, batchSize, limit: options.evalBatches ?? (valData ? Math.ceil(valData.length / batchSize) : undefined) });
    const valEvalBatches = valData ? sequentialBatches({ size: valData.length, batchSize, limit: options.evalBatches }) : [];
    const runEval = async (): Promise<boolean> => {
      const event: EvalEvent = { step: state.step, epoch: state.step / updatesPerEpoch, tokensSeen: state.tokensSeen, train: await evaluateBatches(task, trainData, trainEvalBatches) };
      if (valData) event.val = await evaluateBatches(task, valData, valEvalBatches);
      state.history.evals.push(event);
      await emit('onEval', event);
      if (!stopping || !event.val) return false;
      const value = stopping.metric === 'accuracy' ? -event.val.accuracy : event.val.loss;
      const best = state.earlyStopping.best;
      if (best === null || value < best - (stopping.minDelta ?? 0)) state.earlyStopping = { best: value, badEvals: 0 };
      else state.earlyStopping = { best, badEvals: state.earlyStopping.badEvals + 1 };
      return state.earlyStopping.badEvals >= stopping.patience;
    };
    const saveCheckpoint = async () => {
      if (!options.checkpoint || lastCheckpointStep === state.step) return;
      state.rngState = random.getState();
      lastCheckpoint = await saveTrainerState(options.checkpoint.directory, state, variables, optimizer, { ...options.checkpoint, files: checkpointIO });
      lastCheckpointStep = state.step;
      await lock?.refresh();
      await emit('onCheckpoint', { step: state.step, path: lastCheckpoint });
    };

    let stopReason: StopReason = 'completed';
    if (evalEvery && state.step === 0 && (options.evalAtStart ?? true) && state.history.evals.length === 0) await runEval();
    while (state.step < totalSteps) {
      if (options.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const started = performance.now();
      const update = await accumulateGradients(task, trainData, order, state.position, accumulation, random, tfNames, [...variables.values()], options.gradientCheckpointing ?? false);
      state.position = update.position;
      const metrics = await task.takeStepMetrics?.();
      const step = state.step + 1;
      const gradients = update.gradients;
      let gradNorm: number;
      const learningRate = learningRateAt(state.step, { totalSteps, peak, ...schedule });
      try {
        if (!Number.isFinite(update.loss)) throw new NonFiniteLossError('loss', step, update.loss, lastCheckpoint);
        gradNorm = await globalNorm(gradients.values());
        if (!Number.isFinite(gradNorm)) throw new NonFiniteLossError('gradient norm', step, gradNorm, lastCheckpoint);
        // Clipping is a factor AdamW applies as it reads each gradient (no clipped copy).
        const gradientScale = options.gradientClip !== undefined ? clipCoefficient(gradNorm, options.gradientClip) : 1;
        optimizer.apply(gradients, learningRate, { gradientScale });
      } finally {
        // Also on failure: a failed run must not leak the step's gradients.
        tf.dispose([...gradients.values()]);
      }
      const seconds = (performance.now() - started) / 1000;
      state.step = step;
      state.tokensSeen += update.tokens;
      state.elapsedMs += seconds * 1000;
      state.rngState = random.getState();
      const event: StepEvent = {
        step, totalSteps, epoch: step / updatesPerEpoch, loss: update.loss, learningRate, gradNorm, tokens: update.tokens,
        tokensSeen: state.tokensSeen, tokensPerSecond: update.tokens / Math.max(seconds, 1e-9), elapsedMs: state.elapsedMs,
        ...(metrics ? { metrics } : {}),
      };
      state.history.steps.push(event);
      await emit('onStep', event);
      const stopEarly = evalEvery !== undefined && (step % evalEvery === 0 || step === totalSteps) ? await runEval() : false;
      if (options.checkpoint?.every && step % options.checkpoint.every === 0) await saveCheckpoint();
      if (stopEarly) {
        stopReason = 'early-stopping';
        break;
      }
    }
    await saveCheckpoint();
    const result: TrainResult = {
      steps: state.history.steps, evals: state.history.evals, step: state.step, stopReason,
      checkpoint: lastCheckpoint, tokensSeen: state.tokensSeen, elapsedMs: state.elapsedMs,
    };
    await emit('onEnd', result);
    return result;
  } finally {
    optimizer.dispose();
    await lock?.release();
  }
}
