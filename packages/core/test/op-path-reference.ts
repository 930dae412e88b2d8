// The op path as it was before its custom gradients (core at c80fac4): layer
// norm, GELU, attention and dropout written as plain tfjs ops, differentiated by tfjs's
// autodiff, which keeps every intermediate on the tape. The op-path tests
// compare core's custom-gradient versions with these float for float.
// Imports nothing from core's model, so a vi.mock factory can load it.
import * as tf from '@tensorflow/tfjs-core';
import { TunekitDropoutMask as DROPOUT_MASK } from '@tunekit/backend-spec';

/** Layer norm op by op over the last axis, biased variance. */
export function referenceLayerNorm(x: tf.Tensor, params: { weight: tf.Tensor; bias: tf.Tensor }, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalized, params.weight), params.bias);
}

/** GELU op by op: the tanh form (`gelu_new`) or the erf form (`gelu`). */
export function referenceGelu(x: tf.Tensor, activation: string): tf.Tensor {
  if (activation === 'gelu') return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/** Inverted dropout with a given seed: the native mask times x where the backend has it, else tf.dropout. */
export function referenceDropoutWithSeed(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (tf.getKernel(DROPOUT_MASK, tf.getBackend())) {
    return tf.mul(x, tf.engine().runKernel(DROPOUT_MASK, {}, { shape: [...x.shape], rate, seed }) as tf.Tensor);
  }
  return tf.dropout(x, rate, undefined, seed);
}

/** Dropout as the model called it: a no-op outside training or at rate 0, else one seed from the pass. */
export function referenceDropout(x: tf.Tensor, rate: number, context: { training: boolean; nextSeed(): number }): tf.Tensor {
  if (!context.training || rate <= 0) return x;
  return referenceDropoutWithSeed(x, rate, context.nextSeed());
}

/** dropout(softmax(q·kᵀ · scale + mask)) · v, op by op. q [B, H, T, D], k and v [B, H, S, D]. */
export function referenceAttention(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, mask: tf.Tensor, settings: { scale: number; dropoutRate: number; seed: number }): tf.Tensor4D {
  const scores = tf.add(tf.mul(tf.matMul(query, key, false, true), settings.scale), mask);
  const probabilities = tf.softmax(scores, -1);
  const dropped = settings.dropoutRate > 0 ? referenceDropoutWithSeed(probabilities, settings.dropoutRate, settings.seed) : probabilities;
  return tf.matMul(dropped, value) as tf.Tensor4D;
}
