/**
 * Layer norm from tfjs ops, for backends without the fused layer-norm kernels
 * (wasm, WebGPU, pure JS), as one custom-gradient op whose tape entry is x,
 * the weight and the bias.
 *
 * Differentiated op by op it kept the centred, squared, normalised and scaled
 * [tokens, C] tensors of each of the 25 layer norms of GPT-2 124M, and its
 * nine intermediate gradients stayed alive until the whole backward ended.
 * Here the backward recomputes them from x inside a tidy and runs each
 * kernel's registered gradient from the last op back to the first, so the
 * output and the gradients are the same floats as autodiff of the op-built
 * form. x is passed to the op twice: autodiff added x's two partial
 * gradients (through the centring and through the mean) one at a time to
 * whatever x had already received (the residual branch), and two inputs let
 * the engine do exactly that (test/op-path-training.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelGradient } from '../tf/kernel-gradient';

const LAST_AXIS = { axis: -1, keepDims: true };

/** Every tensor of the op-built layer norm before its bias add, in op order. */
function layerNormParts(x: tf.Tensor, weight: tf.Tensor, epsilon: number) {
  const eps = tf.scalar(epsilon);
  const mean = tf.mean(x, LAST_AXIS.axis, LAST_AXIS.keepDims);
  const centered = tf.sub(x, mean);
  const squared = tf.square(centered);
  const variance = tf.mean(squared, LAST_AXIS.axis, LAST_AXIS.keepDims);
  const shifted = tf.add(variance, eps);
  const rstd = tf.rsqrt(shifted);
  const normalized = tf.mul(centered, rstd);
  return { eps, mean, centered, squared, variance, rstd, normalized, scaled: tf.mul(normalized, weight) };
}

/** [dx through the centring, dx through the mean, dWeight, dBias] given dy. */
function layerNormGrads(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number, dy: tf.Tensor): tf.Tensor[] {
  const p = layerNormParts(x, weight, epsilon);
  const out = kernelGradient(tf.Add, dy, [p.scaled, bias]);
  const scale = kernelGradient(tf.Multiply, out('a'), [p.normalized, weight]);
  const norm = kernelGradient(tf.Multiply, scale('a'), [p.centered, p.rstd]);
  let dCentered = norm('a');
  const dShifted = kernelGradient(tf.Rsqrt, norm('b'), [p.rstd])('x');
  const dVariance = kernelGradient(tf.Add, dShifted, [p.variance, p.eps])('a');
  const dSquared = kernelGradient(tf.Mean, dVariance, [p.squared], LAST_AXIS)('x');
  dCentered = tf.add(dCentered, kernelGradient(tf.Square, dSquared, [p.centered])('x'));
  const centring = kernelGradient(tf.Sub, dCentered, [x, p.mean]);
  const dxMean = kernelGradient(tf.Mean, centring('b'), [x], LAST_AXIS)('x');
  return [centring('a'), dxMean, scale('b'), out('b')];
}

/** Layer norm over the last axis with a biased variance: x [..., C], weight and bias [C]. */
export function opPathLayerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, , w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, w, b]);
    return {
      // The forward runs in the op's own tidy: its intermediates are freed on return.
      value: tf.add(layerNormParts(input, w, epsilon).scaled, b),
      // tfjs calls a gradFunc outside any scope: the tidy frees the recomputed tensors now.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [sx, sw, sb] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return layerNormGrads(sx, sw, sb, epsilon, dy);
      }),
    };
  }) as (x: tf.Tensor, again: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
  return run(x, x, weight, bias);
}
