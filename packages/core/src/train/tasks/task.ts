/**
 * A training task: how examples become batches, what the loss is, and what
 * evaluation counts. The trainer is the same for all of them.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BlockRunner } from '../../model/transformer';

/** The task names the trainer knows. */
export type TaskKind = 'causal-lm' | 'classification' | 'reward' | 'dpo';

/** Dropout state of one forward pass. */
export interface Pass {
  /** Dropout on. */
  training: boolean;
  /** Seed of this pass's dropout masks. */
  seed: number;
  /**
   * With gradient checkpointing: runs each block so that backward recomputes
   * it. The causal-LM loss then also recomputes its logits chunk by chunk
   * instead of keeping them.
   */
  blockRunner?: BlockRunner;
  /**
   * The variables the step takes gradients for: the forward pass runs the
   * blocks before the first one that reads any of them off the tape (see
   * `TransformerOptions.gradientsFor`).
   */
  gradientsFor?: ReadonlySet<tf.Variable>;
}

/** Evaluation sums of one batch. */
export interface BatchStats {
  /** Sum of the per-item losses. */
  lossSum: number;
  /** Items predicted right (tokens, texts or pairs). */
  correct: number;
  /** Items counted. */
  count: number;
  /** Further per-item sums the task reports (DPO's `rewards/chosen`, …); the evaluation divides them by `count`. */
  sums?: Record<string, number>;
}

/** One task, bound to its model and head. */
export interface Task<Example, Batch> {
  readonly kind: TaskKind;
  /** Examples → a batch. */
  collate(examples: Example[]): Batch;
  /** Tokens the model reads for the example (after truncation), to check against the context. */
  inputLength(example: Example): number;
  /** Real tokens in a batch, for throughput. */
  tokens(batch: Batch): number;
  /** The mean loss of the batch, differentiable with respect to every trainable variable. */
  loss(batch: Batch, pass: Pass): tf.Scalar;
  /** Evaluation sums, without gradients. */
  stats(batch: Batch): Promise<BatchStats>;
  /**
   * Computes what the examples need once before any update (DPO's reference
   * log-probabilities) and returns the examples with it. Called by the
   * trainer on the training and validation data, before the first update.
   */
  prepare?(examples: readonly Example[]): Promise<Example[]>;
  /**
   * Per-update metrics of the batches since the last call (means over
   * items), for the step event; clears them. Called once per update.
   */
  takeStepMetrics?(): Promise<Record<string, number> | undefined>;
}
