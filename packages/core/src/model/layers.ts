/** The small numerical building blocks of GPT-2. */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Activation } from './config';
import type { ForwardContext, ForwardHooks } from './hooks';
import type { LayerNormParams, LinearParams } from './params';

/** Layer norm over the last axis with a biased variance, as PyTorch computes it. */
export function layerNorm(x: tf.Tensor, params: LayerNormParams, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalized, params.weight), params.bias);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The MLP activation: tanh-approximated GELU (`gelu_new`) or the exact erf form (`gelu`). */
export function gelu(x: tf.Tensor, activation: GPT2Activation): tf.Tensor {
  if (activation === 'gelu') {
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  }
  // x·x·x rather than pow(x, 3): pow's gradient goes through log/exp and is slower.
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/**
 * `y = x · W + b` over the last axis, then the `linear` hook (LoRA) if any.
 * x [..., in] → [..., out].
 */
export function linear(x: tf.Tensor, params: LinearParams, name: string, hooks: ForwardHooks | undefined, context: ForwardContext): tf.Tensor {
  const inDim = x.shape[x.rank - 1] as number;
  const outDim = params.weight.shape[1] as number;
  const x2d = tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [N, in]
  let y2d = tf.add(tf.matMul(x2d, params.weight), params.bias) as tf.Tensor2D; // [N, out]
  if (hooks?.linear) y2d = hooks.linear(name, x2d, y2d, context);
  return tf.reshape(y2d, [...x.shape.slice(0, -1), outDim]);
}

/** Dropout that is a no-op outside training or at rate 0. */
export function dropout(x: tf.Tensor, rate: number, context: ForwardContext): tf.Tensor {
  if (!context.training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, context.nextSeed());
}
