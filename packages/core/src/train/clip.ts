/** Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`. */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitSumOfSquares } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';

/**
 * The global L2 norm of all gradients. Where the backend has
 * `TunekitSumOfSquares` one kernel call reads each gradient once; otherwise a
 * `Square` (a squared copy of every gradient) and a `Sum` per gradient.
 */
export async function globalNorm(gradients: Iterable<tf.Tensor>): Promise<number> {
  const list = [...gradients];
  if (list.length === 0) return 0;
  if (activeBackendHas(TunekitSumOfSquares) && list.every((g) => g.dtype === 'float32')) return fusedGlobalNorm(list);
  const total = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))));
  const value = (await total.data())[0] as number;
  total.dispose();
  return value;
}

/**
 * The same number from one kernel call: its per-tensor sums have the bits of
 * `Sum(Square(g))`, and they are added in float32 in list order and rooted
 * in float32, as `AddN` and `Sqrt` do on the op path.
 */
async function fusedGlobalNorm(list: tf.Tensor[]): Promise<number> {
  const sums = runOptionalKernel(TunekitSumOfSquares, list, {});
  const values = await sums.data();
  sums.dispose();
  let total = 0;
  for (const value of values) total = Math.fround(total + value);
  return Math.fround(Math.sqrt(total));
}

/**
 * The factor `clip_grad_norm_` scales every gradient by: `maxNorm / (norm +
 * 1e-6)` when that is below 1, else 1 (gradients left alone).
 */
export function clipCoefficient(norm: number, maxNorm: number): number {
  const coefficient = maxNorm / (norm + 1e-6);
  return coefficient < 1 ? coefficient : 1;
}

/**
 * Scales every gradient by `maxNorm / (norm + 1e-6)` when that is below 1 (PyTorch's formula).
 * Returns the new gradients; the inputs are disposed when replaced.
 */
export function clipByGlobalNorm(gradients: Map<string, tf.Tensor>, norm: number, maxNorm: number): Map<string, tf.Tensor> {
  const coefficient = clipCoefficient(norm, maxNorm);
  if (coefficient === 1) return gradients;
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, gradient] of gradients) {
    clipped.set(name, tf.mul(gradient, coefficient));
    gradient.dispose();
  }
  return clipped;
}
