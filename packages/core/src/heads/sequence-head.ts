/**
 * What the trainer needs from a head that reads one hidden state per
 * sequence (a classifier, a reward model's value head): its variables, and a
 * map from pooled hidden states to outputs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, ForwardHooks } from '../model/hooks';
import type { ParameterSource } from '../model/parameter-source';

/** Options of {@link SequenceHead.apply}. */
export interface HeadApplyOptions {
  /** Adapter hooks; the head passes its linear map through `hooks.linear(name, …)` so LoRA can adapt it. */
  hooks?: ForwardHooks;
  /** Dropout state of this pass (training flag and seeds). Default: evaluation, no dropout. */
  context?: ForwardContext;
}

/** A head over pooled sequence representations. */
export interface SequenceHead extends ParameterSource {
  /** The name its linear map passes to the `linear` hook (and its PEFT module key), e.g. `score`. */
  readonly name: string;
  /** Width of the input (the model's `embeddingDim`). */
  readonly inputDim: number;
  /** Outputs per sequence (labels for a classifier, 1 for a value head). */
  readonly outputDim: number;
  /** Pooled hidden states [B, C] → outputs [B, outputDim]. */
  apply(pooled: tf.Tensor2D, options?: HeadApplyOptions): tf.Tensor2D;
  /** Releases the head's variables. */
  dispose(): void;
}

/** A context for evaluation: no dropout. */
export const EVAL_CONTEXT: ForwardContext = { training: false, nextSeed: () => 0 };
