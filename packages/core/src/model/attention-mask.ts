/** Additive attention masks: 0 where a query may look, a large negative number elsewhere. */
import * as tf from '@tensorflow/tfjs-core';

// Large enough that exp() underflows to exactly 0, small enough to stay finite
// (an all-masked row then gives a uniform distribution instead of NaN).
const MASKED = -1e9;

/**
 * The causal mask [1, 1, T, S] for T new queries after `past` earlier keys:
 * query i sits at key position past + i and sees keys 0..past+i.
 */
export function causalMask(queries: number, past: number): tf.Tensor4D {
  const keys = past + queries;
  const values = new Float32Array(queries * keys);
  for (let i = 0; i < queries; i++) {
    for (let j = past + i + 1; j < keys; j++) values[i * keys + j] = MASKED;
  }
  return tf.tensor4d(values, [1, 1, queries, keys]);
}

/** Turns a key mask [B, S] of 1 (attend) / 0 (padding) into an additive [B, 1, 1, S]. */
export function paddingMask(keyMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, keys] = keyMask.shape;
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(keyMask, 'float32')), MASKED), [batch, 1, 1, keys]);
}
