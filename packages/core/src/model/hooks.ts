/**
 * Explicit hook points through which adapters (LoRA, prefix tuning, prompt
 * tuning) change the forward pass. We own the model, so instead of swapping
 * modules at run time the forward pass calls these hooks at fixed places.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Per-call state shared by the model and its hooks. */
export interface ForwardContext {
  /** Whether dropout is active. */
  readonly training: boolean;
  /** A fresh seed for each random op (dropout), so runs are reproducible. */
  nextSeed(): number;
}

/** Names of the maps that hooks may adapt: `h.{i}.attn.c_attn`, `h.{i}.attn.c_proj`, `h.{i}.mlp.c_fc`, `h.{i}.mlp.c_proj`, or a head's name (e.g. `score`). */
export type LinearName = string;

/** Key/value prefixes for one layer: each [B, H, P, D]. */
export interface AttentionPrefix {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

/**
 * A low-rank update of a linear map, `scaling · (x·Aᵀ)·Bᵀ`, in PEFT's
 * layouts: what LoRA's `linear` hook adds, handed to the model so that a
 * backend with a fused kernel can add it inside the linear map's GEMM.
 */
export interface LowRankTerm {
  /** A, [r, in]. */
  a: tf.Tensor;
  /** B, [out, r]. */
  b: tf.Tensor;
  /** The factor of the update (LoRA's alpha / r). */
  scaling: number;
}

/** The hook points of the forward pass. Every hook is optional. */
export interface ForwardHooks {
  /**
   * Called after each adaptable linear map with its input [N, in] and base
   * output [N, out]; returns the output to use (LoRA adds its low-rank term here).
   */
  linear?(name: LinearName, input: tf.Tensor2D, output: tf.Tensor2D, context: ForwardContext): tf.Tensor2D;
  /**
   * Asked before a linear map of the model is computed: the low-rank term
   * that `linear` would add for this call — exactly that term of the input,
   * nothing else — or undefined. Where the backend has the fused LoRA kernels
   * the model then adds the term inside the map's GEMM and does not call
   * `linear`; elsewhere it calls `linear` as usual.
   */
  lowRank?(name: LinearName, context: ForwardContext): LowRankTerm | undefined;
  /**
   * Embeddings [B, P, C] to prepend to the token embeddings (prompt tuning).
   * Asked for only when no earlier tokens are cached; the virtual tokens take
   * positions 0..P-1 and count as context from then on.
   */
  promptEmbeddings?: {
    readonly length: number;
    get(batchSize: number, context: ForwardContext): tf.Tensor3D;
  };
  /**
   * Learned key/value prefixes (prefix tuning). Asked for only when no earlier
   * tokens are cached; real tokens then start at position `length`, as in
   * Hugging Face's GPT-2 with `past_key_values`.
   */
  attentionPrefix?: {
    readonly length: number;
    get(layer: number, batchSize: number, context: ForwardContext): AttentionPrefix;
  };
}
