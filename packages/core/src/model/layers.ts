/** The small numerical building blocks of GPT-2. */
import * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { TunekitDropout, TunekitDropoutMask, TunekitGelu, TunekitGeluGrad } from '@tunekit/backend-spec';
import { InvalidArgumentError } from '@tunekit/formats';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';
import type { GPT2Activation } from './config';
import { canFuseBiasGelu, fusedBiasGelu } from './fused-bias-gelu';
import { canFuseLayerNorm, fusedLayerNorm } from './fused-layer-norm';
import { canFuseLinear, fusedLinear } from './fused-linear';
import { canFuseLoRALinear, fusedLoRALinear } from './fused-lora-linear';
import { opPathGelu } from './gelu-op-path';
import { opPathLayerNorm } from './layer-norm-op-path';
import type { ForwardContext, ForwardHooks } from './hooks';
import type { LayerNormParams, LinearParams } from './params';

/**
 * Layer norm over the last axis with a biased variance, as PyTorch computes
 * it: the fused kernels when the backend has them, else {@link opPathLayerNorm}.
 */
export function layerNorm(x: tf.Tensor, params: LayerNormParams, epsilon: number): tf.Tensor {
  if (canFuseLayerNorm(x)) return fusedLayerNorm(x, params.weight, params.bias, epsilon);
  return opPathLayerNorm(x, params.weight, params.bias, epsilon);
}

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

/**
 * The MLP activation: tanh-approximated GELU (`gelu_new`) or the exact erf
 * form (`gelu`). Either way the tape keeps only x: the fused kernels when the
 * backend has them, else {@link opPathGelu}.
 */
export function gelu(x: tf.Tensor, activation: GPT2Activation): tf.Tensor {
  if (x.dtype === 'float32' && activeBackendHas(TunekitGelu, TunekitGeluGrad)) return activation === 'gelu' ? fusedGeluErf(x) : fusedGeluNew(x);
  return opPathGelu(x, activation);
}

/**
 * `y = x · W + b` over the last axis, then the `linear` hook (LoRA) if any.
 * x [..., in] → [..., out]. A LoRA term the `lowRank` hook offers is added
 * inside the GEMM instead where the backend has the fused LoRA kernels.
 */
export function linear(x: tf.Tensor, params: LinearParams, name: string, hooks: ForwardHooks | undefined, context: ForwardContext): tf.Tensor {
  return overRows(x, params, (x2d) => {
    const term = hooks?.lowRank?.(name, context);
    if (term && canFuseLoRALinear(x2d, params.weight, params.bias, term)) return fusedLoRALinear(x2d, params.weight, params.bias, term);
    // [N, out]: one kernel with the bias in the GEMM's store where the backend has it.
    const y2d = canFuseLinear(x2d, params.weight, params.bias) ? fusedLinear(x2d, params.weight, params.bias) : (addBias(tf.matMul(x2d, params.weight), params.bias) as tf.Tensor2D);
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
 * Inverted dropout's multiplier of the given shape: 1/(1−rate) where kept, 0
 * where dropped; the same for the same seed. With the native kernel its mask,
 * else tf.dropout's own (the same ops, so the same mask as tf.dropout).
 */
export function dropoutMultiplier(shape: readonly number[], rate: number, seed: number): tf.Tensor {
  if (activeBackendHas(TunekitDropoutMask)) return runOptionalKernel(TunekitDropoutMask, {}, { shape: [...shape], rate, seed });
  const keep = 1 - rate;
  return tf.tidy(() => tf.div(tf.floor(tf.add(tf.randomUniform([...shape], 0, 1, 'float32', seed), keep)), keep));
}

/** Dropout that is a no-op outside training or at rate 0. */
export function dropout(x: tf.Tensor, rate: number, context: ForwardContext): tf.Tensor {
  if (!context.training || rate <= 0) return x;
  const seed = context.nextSeed();
  // tf.dropout's own checks (rate < 1, float input) and errors otherwise.
  if (rate >= 1 || x.dtype !== 'float32') return tf.dropout(x, rate, undefined, seed);
  if (activeBackendHas(TunekitDropout)) return fusedDropout(x, undefined, rate, seed);
  return maskedDropout(x, rate, seed);
}

/**
 * `residual + dropout(branch)`, the sum of a residual connection: one
 * `TunekitDropout` pass where the backend has it (no mask tensor, no separate
 * Multiply and Add), else {@link residualAdd} of {@link dropout}. Draws the
 * dropout seed exactly when {@link dropout} would, so every later seed is
 * the same either way.
 */
export function residualDropoutAdd(residual: tf.Tensor, branch: tf.Tensor, rate: number, context: ForwardContext): tf.Tensor {
  if (!context.training || rate <= 0 || rate >= 1 || branch.dtype !== 'float32' || !activeBackendHas(TunekitDropout)) return residualAdd(residual, dropout(branch, rate, context));
  if (!util.arraysEqual(residual.shape, branch.shape)) throw new InvalidArgumentError(`residualDropoutAdd: shapes differ, [${residual.shape.join(', ')}] vs [${branch.shape.join(', ')}]`, { fix: 'This is a tunekit bug: please report it with the code that called it.' });
  return fusedDropout(branch, residual, rate, context.nextSeed());
}

/**
 * `(residual +) x·mask` through `TunekitDropout`, keeping nothing for the
 * backward: the gradient is the same kernel on dy with the same seed (the
 * mask is a function of the seed and the index), and dy itself for the
 * residual. The same bits as {@link maskedDropout} (then the add) with the
 * native mask kernel.
 */
function fusedDropout(x: tf.Tensor, residual: tf.Tensor | undefined, rate: number, seed: number): tf.Tensor {
  const attrs = { rate, seed };
  const backward = (dy: tf.Tensor): tf.Tensor => runOptionalKernel(TunekitDropout, { x: dy }, attrs);
  if (!residual) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [input] = args as [tf.Tensor];
      return { value: runOptionalKernel(TunekitDropout, { x: input }, attrs), gradFunc: backward };
    })(x);
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, onto] = args as [tf.Tensor, tf.Tensor];
    return { value: runOptionalKernel(TunekitDropout, { x: input, residual: onto }, attrs), gradFunc: (dy: tf.Tensor) => [backward(dy), dy] };
  })(x, residual);
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
 * x · mask, keeping only the mask for the backward: tf.mul's gradient would
 * also keep x, which nothing else needs, and tf.dropout's tape would keep its
 * noise and floor too. Same value and gradient as tf.dropout for its mask.
 */
function maskedDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const mask = dropoutMultiplier(input.shape, rate, seed);
    save([mask]);
    return { value: tf.mul(input, mask), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor) };
  }) as (x: tf.Tensor) => tf.Tensor;
  return fn(x);
}
