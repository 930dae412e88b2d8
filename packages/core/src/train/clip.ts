/** Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`. */
import * as tf from '@tensorflow/tfjs-core';

/** The global L2 norm of all gradients. */
export async function globalNorm(gradients: Iterable<tf.Tensor>): Promise<number> {
  const list = [...gradients];
  if (list.length === 0) return 0;
  const total = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))));
  const value = (await total.data())[0] as number;
  total.dispose();
  return value;
}

/**
 * Scales every gradient by `maxNorm / (norm + 1e-6)` when the global norm
 * exceeds `maxNorm` (PyTorch's formula). Returns the new gradients; the
 * inputs are disposed when replaced.
 */
export function clipByGlobalNorm(gradients: Map<string, tf.Tensor>, norm: number, maxNorm: number): Map<string, tf.Tensor> {
  const coefficient = maxNorm / (norm + 1e-6);
  if (!(coefficient < 1)) return gradients;
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, gradient] of gradients) {
    clipped.set(name, tf.mul(gradient, coefficient));
    gradient.dispose();
  }
  return clipped;
}
