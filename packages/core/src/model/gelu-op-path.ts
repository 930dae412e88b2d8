/**
 * GELU from tfjs ops, for backends without the fused GELU kernels (wasm,
 * WebGPU, pure JS), as one custom-gradient op whose tape entry is its input x.
 *
 * Differentiated op by op, the tanh form kept eight [tokens, 4·C] tensors per
 * block for the backward (x², x³, the inner sum, tanh, 1 + tanh, x/2, …) and
 * its intermediate gradients stayed alive until the whole backward ended
 * (tfjs frees accumulated gradients only then). Here the backward recomputes
 * the intermediates from x inside a tidy and runs each op's registered
 * gradient from the last op back to the first, summing x's partial gradients
 * in the tape's order, so the value and the gradient are the same floats as
 * autodiff of the op-built form (test/op-path-memory.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelGradient } from '../tf/kernel-gradient';
import type { GPT2Activation } from './config';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Every tensor of `0.5x · (1 + tanh(√(2/π)(x + 0.044715·x·x·x)))`, in op order; constants as the ops make them (float32 scalars). */
function tanhForm(x: tf.Tensor) {
  const [cubic, sqrt2OverPi, half, one] = [0.044715, SQRT_2_OVER_PI, 0.5, 1].map((v) => tf.scalar(v)) as [tf.Scalar, tf.Scalar, tf.Scalar, tf.Scalar];
  // x·x·x rather than pow(x, 3): pow's gradient goes through log/exp and is slower.
  const square = tf.mul(x, x);
  const cube = tf.mul(square, x);
  const scaledCube = tf.mul(cube, cubic);
  const sum = tf.add(x, scaledCube);
  const inner = tf.mul(sum, sqrt2OverPi);
  const halfX = tf.mul(x, half);
  const tanh = tf.tanh(inner);
  const onePlusTanh = tf.add(one, tanh);
  return { cubic, sqrt2OverPi, half, one, square, cube, scaledCube, sum, halfX, tanh, onePlusTanh };
}

/** d/dx given dy: the ops of {@link tanhForm} and the final product, walked back. */
function tanhGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const f = tanhForm(x);
  const product = kernelGradient(tf.Multiply, dy, [f.halfX, f.onePlusTanh]);
  const dHalfX = product('a');
  const dTanh = kernelGradient(tf.Add, product('b'), [f.one, f.tanh])('b');
  const dInner = kernelGradient(tf.Tanh, dTanh, [f.tanh])('x');
  let dx = kernelGradient(tf.Multiply, dHalfX, [x, f.half])('a');
  const dSum = kernelGradient(tf.Multiply, dInner, [f.sum, f.sqrt2OverPi])('a');
  const sum = kernelGradient(tf.Add, dSum, [x, f.scaledCube]);
  dx = tf.add(dx, sum('a'));
  const dCube = kernelGradient(tf.Multiply, sum('b'), [f.cube, f.cubic])('a');
  const cube = kernelGradient(tf.Multiply, dCube, [f.square, x]);
  const dSquare = cube('a');
  dx = tf.add(dx, cube('b'));
  const square = kernelGradient(tf.Multiply, dSquare, [x, x]);
  dx = tf.add(dx, square('a'));
  return tf.add(dx, square('b'));
}

/** Every tensor of `0.5x · (1 + erf(x/√2))`, in op order. */
function erfForm(x: tf.Tensor) {
  const [half, invSqrt2, one] = [0.5, Math.SQRT1_2, 1].map((v) => tf.scalar(v)) as [tf.Scalar, tf.Scalar, tf.Scalar];
  const halfX = tf.mul(x, half);
  const scaled = tf.mul(x, invSqrt2);
  const erf = tf.erf(scaled);
  return { half, invSqrt2, one, halfX, scaled, erf, onePlusErf: tf.add(one, erf) };
}

function erfGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const f = erfForm(x);
  const product = kernelGradient(tf.Multiply, dy, [f.halfX, f.onePlusErf]);
  const dErf = kernelGradient(tf.Add, product('b'), [f.one, f.erf])('b');
  const dScaled = kernelGradient(tf.Erf, dErf, [f.scaled])('x');
  const dx = kernelGradient(tf.Multiply, dScaled, [x, f.invSqrt2])('a');
  return tf.add(dx, kernelGradient(tf.Multiply, product('a'), [x, f.half])('a'));
}

function keepingInput(value: (x: tf.Tensor) => tf.Tensor, gradient: (x: tf.Tensor, dy: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      // The forward runs in the op's own tidy: its intermediates are freed on return.
      value: value(x),
      // tfjs calls a gradFunc outside any scope: the tidy frees the recomputed tensors now.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => gradient(saved[0] as tf.Tensor, dy)),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

const tanhGelu = keepingInput((x) => {
  const f = tanhForm(x);
  return tf.mul(f.halfX, f.onePlusTanh);
}, tanhGrad);

const erfGelu = keepingInput((x) => {
  const f = erfForm(x);
  return tf.mul(f.halfX, f.onePlusErf);
}, erfGrad);

/**
 * The MLP activation from tfjs ops: tanh-approximated GELU (`gelu_new`) or
 * the exact erf form (`gelu`); x float32 [...], the tape keeps only x.
 */
export function opPathGelu(x: tf.Tensor, activation: GPT2Activation): tf.Tensor {
  return activation === 'gelu' ? erfGelu(x) : tanhGelu(x);
}
