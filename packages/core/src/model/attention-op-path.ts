/**
 * Scaled dot-product attention from tfjs ops, for passes the fused kernels do
 * not take (backends without them — wasm, WebGPU, pure JS — and passes with
 * a KV cache or an attention prefix), as one custom-gradient op whose tape
 * entry is q, k, v and the mask.
 *
 * Differentiated op by op, the chain q·kᵀ → ·scale → +mask → softmax →
 * dropout → ·v kept five [B, H, T, S] tensors per layer for the backward
 * (raw, scaled and masked scores, probabilities, dropout noise, mask and
 * dropped probabilities) and its [B, H, T, S] gradients stayed alive until
 * the whole backward ended. Here the backward recomputes the probabilities
 * and the dropout mask (same seed, same mask) inside a tidy and runs exactly
 * the ops tfjs's autodiff runs for that chain, so the output and the
 * gradients of q, k and v are the same floats as before
 * (test/op-path-memory.test.ts). The [B, H, T, S] tensors live for one
 * layer's forward or backward at a time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelGradient } from '../tf/kernel-gradient';
import { dropoutMultiplier } from './layers';

/** What the attention needs besides q, k, v and the mask. */
export interface OpPathAttentionSettings {
  /** Multiplier of q·kᵀ (1/√D, divided by the layer number with scaleAttentionByLayer). */
  scale: number;
  /** Dropout rate on the probabilities in this pass (0 outside training). */
  dropoutRate: number;
  /** Seed of that dropout mask. */
  seed: number;
}

/** Every [B, H, T, S] tensor of the chain up to the dropped-out probabilities, in op order. */
function weights(query: tf.Tensor, key: tf.Tensor, mask: tf.Tensor, settings: OpPathAttentionSettings) {
  const scale = tf.scalar(settings.scale);
  const scores = tf.matMul(query, key, false, true);
  const scaled = tf.mul(scores, scale);
  const masked = tf.add(scaled, mask);
  const probs = tf.softmax(masked, -1);
  tf.dispose(masked); // the softmax saves its output, not its input
  const multiplier = settings.dropoutRate > 0 ? dropoutMultiplier(probs.shape, settings.dropoutRate, settings.seed) : undefined;
  return { scale, scores, scaled, probs, multiplier, dropped: multiplier ? tf.mul(probs, multiplier) : probs };
}

/**
 * Gradients of q, k, v given dy = d(output): each kernel's registered
 * gradient from the last (probabilities · v) back to the first (q·kᵀ). The
 * recomputed [B, H, T, S] tensors are freed as soon as the walk has passed them.
 */
function attentionGrads(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, mask: tf.Tensor, dy: tf.Tensor, settings: OpPathAttentionSettings): tf.Tensor[] {
  const w = weights(query, key, mask, settings);
  const output = kernelGradient(tf.BatchMatMul, dy, [w.dropped, value], { transposeA: false, transposeB: false });
  const dValue = output('b'); // [B, H, S, D]
  let dProbs = output('a'); // [B, H, T, S]
  if (w.multiplier) {
    const dDropped = dProbs;
    dProbs = kernelGradient(tf.Multiply, dDropped, [w.probs, w.multiplier])('a');
    release([dDropped, w.dropped, w.multiplier], dProbs);
  }
  const dMasked = kernelGradient(tf.Softmax, dProbs, [w.probs], { dim: w.probs.rank - 1 })('logits');
  release([dProbs, w.probs], dMasked);
  const dScaled = kernelGradient(tf.Add, dMasked, [w.scaled, mask])('a');
  release([dMasked, w.scaled], dScaled);
  const dScores = kernelGradient(tf.Multiply, dScaled, [w.scores, w.scale])('a');
  release([dScaled], dScores);
  const scores = kernelGradient(tf.BatchMatMul, dScores, [query, key], { transposeA: false, transposeB: true });
  return [scores('a'), scores('b'), dValue];
}

/** Disposes `tensors` except `result` (a gradient may return its dy itself when nothing broadcast). */
function release(tensors: tf.Tensor[], result: tf.Tensor): void {
  tf.dispose(tensors.filter((t) => t !== result));
}

/**
 * dropout(softmax(q·kᵀ · scale + mask)) · v. query [B, H, T, D], key and
 * value [B, H, S, D], mask [1 or B, 1, T, S] (additive) → [B, H, T, D].
 */
export function opPathAttention(query: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, mask: tf.Tensor4D, settings: OpPathAttentionSettings): tf.Tensor4D {
  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [q, k, v, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    // Saved, not captured: the forward's tidy disposes the mask before the backward runs.
    save([q, k, v, mask]);
    const w = weights(q, k, mask, settings);
    tf.dispose([w.scores, w.scaled]); // only the backward's walk reads them
    return {
      value: tf.matMul(w.dropped, v),
      // tfjs calls a gradFunc outside any scope: the tidy frees the recomputed tensors now.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sq, sk, sv, smask] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return attentionGrads(sq, sk, sv, smask, dy, settings);
      }),
    };
  }) as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;
  return run(query, key, value) as tf.Tensor4D;
}
