/** The small numerical building blocks of GPT-2. */
import * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { TunekitDropoutMask, TunekitGelu, TunekitGeluGrad } from '@tunekit/backend-spec';
import { InvalidArgumentError } from '@tunekit/formats';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';
import type { GPT2Activation } from './config';
import { canFuseBiasGelu, fusedBiasGelu } from './fused-bias-gelu';
import { canFuseLayerNorm, fusedLayerNorm } from './fused-layer-norm';
import type { ForwardContext, ForwardHooks } from './hooks';
import type { LayerNormParams, LinearParams } from './params';

/** Layer norm over the last axis with a biased variance, as PyTorch computes it. */
export function layerNorm(x: tf.Tensor, params: LayerNormParams, epsilon: number): tf.Tensor {
  if (canFuseLayerNorm(x)) return fusedLayerNorm(x, params.weight, params.bias, epsilon);
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalized, params.weight), params.bias);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU through the optional fused kernels TunekitGelu / TunekitGeluGrad
 * (@tunekit/cpu-kernels registers them). Op by op, the tanh form is 9
 * kernels forward and ~20 backward over the [tokens, 4·C] activations.
 */
function fusedGelu(approximate: boolean): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([x]);
    return {
      value: runOptionalKernel(TunekitGelu, { x }, { approximate }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runOptionalKernel(TunekitGeluGrad, { dy, x: saved[0] as tf.Tensor }, { approximate }),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

const fusedGeluNew = fusedGelu(true);
const fusedGeluErf = fusedGelu(false);

/** The MLP activation: tanh-approximated GELU (`gelu_new`) or the exact erf form (`gelu`). */
export function gelu(x: tf.Tensor, activation: GPT2Activation): tf.Tensor {
  if (x.dtype === 'float32' && activeBackendHas(TunekitGelu, TunekitGeluGrad)) return activation === 'gelu' ? fusedGeluErf(x) : fusedGeluNew(x);
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
  return overRows(x, params, (x2d) => {
    const y2d = addBias(tf.matMul(x2d, params.weight), params.bias) as tf.Tensor2D; // [N, out]
    return hooks?.linear ? hooks.linear(name, x2d, y2d, context) : y2d;
  });
}

/**
 * `gelu(x · W + b)`, the MLP's first map and activation, x [..., in] →
 * [..., out]. With the fused bias + GELU kernels and no `linear` hook it is
 * one matMul and one fused pass (the tape keeps x·W and b); a `linear` hook
 * (LoRA) is given the base output x·W + b, so it keeps {@link linear} then
 * {@link gelu}.
 */
export function linearGelu(x: tf.Tensor, params: LinearParams, activation: GPT2Activation, name: string, hooks: ForwardHooks | undefined, context: ForwardContext): tf.Tensor {
  if (hooks?.linear || !canFuseBiasGelu(x)) return gelu(linear(x, params, name, hooks, context), activation);
  return overRows(x, params, (x2d) => fusedBiasGelu(tf.matMul(x2d, params.weight), params.bias, activation));
}

/**
 * A map of `params` (W [in, out]) over the last axis: x [..., in] is seen
 * as rows x2d [N, in], `map` gives [N, out], and that is shaped [..., out].
 */
function overRows(x: tf.Tensor, params: LinearParams, map: (x2d: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1] as number;
  const outDim = params.weight.shape[1] as number;
  return tf.reshape(map(tf.reshape(x, [-1, inDim]) as tf.Tensor2D), [...x.shape.slice(0, -1), outDim]);
}

/**
 * Dropout that is a no-op outside training or at rate 0. Where the backend
 * has the optional TunekitDropoutMask kernel it makes the mask (tf.dropout
 * draws its noise in JS, ~0.3 s per GPT-2 layer at 1×1024 tokens): same seed,
 * same mask, but not tf.dropout's mask.
 */
export function dropout(x: tf.Tensor, rate: number, context: ForwardContext): tf.Tensor {
  if (!context.training || rate <= 0) return x;
  const seed = context.nextSeed();
  if (rate < 1 && x.dtype === 'float32' && activeBackendHas(TunekitDropoutMask)) {
    return maskedDropout(x, rate, seed);
  }
  return tf.dropout(x, rate, undefined, seed);
}

/**
 * `y + bias` whose gradient keeps nothing: tf.add's gradient saves both
 * inputs (for their shapes), which kept every linear map's [N, out] matMul
 * output alive until the backward (~180 MiB at GPT-2 124M 4×256).
 * d/dy = dy, d/dbias = Σ_rows dy (the same sum tf.add's gradient takes).
 */
export const addBias = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [y, bias] = args as [tf.Tensor, tf.Tensor];
  return {
    value: tf.add(y, bias),
    gradFunc: (dy: tf.Tensor) => [dy, tf.reshape(tf.sum(dy, Array.from({ length: dy.rank - bias.rank }, (_, i) => i)), bias.shape)],
  };
}) as (y: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

/**
 * `x + y` for two tensors of one shape whose gradient keeps nothing (the
 * residual adds: tf.add would keep the dropped-out branch, otherwise dead,
 * until the backward).
 */
export const residualAdd = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, y] = args as [tf.Tensor, tf.Tensor];
  if (!util.arraysEqual(x.shape, y.shape)) throw new InvalidArgumentError(`residualAdd: shapes differ, [${x.shape.join(', ')}] vs [${y.shape.join(', ')}]`, { fix: 'This is a tunekit bug: please report it with the code that called it.' });
  return { value: tf.add(x, y), gradFunc: (dy: tf.Tensor) => [dy, dy] };
}) as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor;

/**
 * x · mask with the native mask, keeping only the mask for the backward
 * (tf.mul's gradient would also keep x, which nothing else needs).
 */
function maskedDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const mask = runOptionalKernel(TunekitDropoutMask, {}, { shape: [...input.shape], rate, seed });
    save([mask]);
    return { value: tf.mul(input, mask), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor) };
  }) as (x: tf.Tensor) => tf.Tensor;
  return fn(x);
}
