/**
 * A training task: how examples become batches, what the loss is, and what
 * evaluation counts. The trainer is the same for all of them.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The task names the trainer knows. */
export type TaskKind = 'causal-lm' | 'classification' | 'reward';

/** Dropout state of one forward pass. */
export interface Pass {
  /** Dropout on. */
  training: boolean;
  /** Seed of this pass's dropout masks. */
  seed: number;
}

/** Evaluation sums of one batch. */
export interface BatchStats {
  /** Sum of the per-item losses. */
  lossSum: number;
  /** Items predicted right (tokens, texts or pairs). */
  correct: number;
  /** Items counted. */
  count: number;
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
}
