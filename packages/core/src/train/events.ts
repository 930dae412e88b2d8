/** What the trainer reports while it runs, and what it returns. */
import type { TaskKind } from './tasks/task';

/** Evaluation metrics over some batches. */
export interface EvalMetrics {
  /** Mean loss per counted item (token, text or pair). */
  loss: number;
  /** Share of items predicted right: mean token accuracy (causal LM), accuracy (classification), or pairs ranked right (reward). */
  accuracy: number;
  /** Items counted. */
  count: number;
  /** Task-specific means over the items: for DPO `rewards/chosen`, `rewards/rejected`, `rewards/accuracy`, `rewards/margin` (TRL's names). */
  metrics?: Record<string, number>;
}

/** One optimizer update. */
export interface StepEvent {
  /** Updates done, 1-based. */
  step: number;
  /** Updates in the whole run. */
  totalSteps: number;
  /** Epochs done, fractional (`step / updatesPerEpoch`). */
  epoch: number;
  /** Mean training loss of the update's batches. */
  loss: number;
  /** Learning rate used. */
  learningRate: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Real (non-padding) tokens read by this update. */
  tokens: number;
  /** Real tokens read since the run began. */
  tokensSeen: number;
  /** Throughput of this update. */
  tokensPerSecond: number;
  /** Training time since the run began (resumed runs include the time before the checkpoint), ms. */
  elapsedMs: number;
  /** Task-specific means over the update's training items (DPO: `rewards/chosen`, `rewards/rejected`, `rewards/accuracy`, `rewards/margin`). */
  metrics?: Record<string, number>;
}

/** An evaluation. */
export interface EvalEvent {
  /** Updates done when it ran (0: before training). */
  step: number;
  /** Epochs done, fractional. */
  epoch: number;
  /** Real tokens trained on so far. */
  tokensSeen: number;
  /** Metrics on the first `evalBatches` training batches (the chapters' train loss). */
  train: EvalMetrics;
  /** Metrics on the validation data, when given. */
  val?: EvalMetrics;
}

/** A checkpoint was written. */
export interface CheckpointEvent {
  /** Updates done. */
  step: number;
  /** Its directory. */
  path: string;
}

/** The run is about to start. */
export interface TrainStartEvent {
  /** The task. */
  task: TaskKind;
  /** Updates in the whole run. */
  totalSteps: number;
  /** Update the run starts after (0, or the checkpoint's step). */
  startStep: number;
  /** Batches per epoch. */
  batchesPerEpoch: number;
  /** Trainable parameters. */
  trainableParameters: number;
  /** All parameters of the sources. */
  totalParameters: number;
  /** The checkpoint resumed from, if any. */
  resumedFrom?: string;
  /** Events recorded before this run started (from the checkpoint resumed from; empty otherwise). */
  history: {
    /** Updates before the checkpoint. */
    steps: readonly StepEvent[];
    /** Evaluations before the checkpoint. */
    evals: readonly EvalEvent[];
  };
}

/** Why the run ended. */
export type StopReason = 'completed' | 'early-stopping' | 'aborted';

/** The outcome of {@link train}. */
export interface TrainResult {
  /** Every update, including those before a resumed checkpoint. */
  steps: StepEvent[];
  /** Every evaluation. */
  evals: EvalEvent[];
  /** Updates done. */
  step: number;
  /** Why it ended. */
  stopReason: StopReason;
  /** The last checkpoint written, if any. */
  checkpoint?: string;
  /** Real tokens trained on. */
  tokensSeen: number;
  /** Training time, ms. */
  elapsedMs: number;
}

/** Observers of a run; every method is optional and may be async (the trainer awaits it). */
export interface TrainCallbacks {
  /** Before the first update. */
  onStart?(event: TrainStartEvent): void | Promise<void>;
  /** After every update. */
  onStep?(event: StepEvent): void | Promise<void>;
  /** After every evaluation. */
  onEval?(event: EvalEvent): void | Promise<void>;
  /** After every checkpoint. */
  onCheckpoint?(event: CheckpointEvent): void | Promise<void>;
  /** When the run ends normally (not on errors). */
  onEnd?(result: TrainResult): void | Promise<void>;
}
