/** Shape arithmetic the gradients share: broadcasting undone, axes normalised. */
import * as tf from '@tensorflow/tfjs-core';

/** `axis` (one, several, negative, or null for all) as sorted non-negative axes of a rank-`rank` tensor. */
export function normaliseAxes(axis: number | number[] | null | undefined, rank: number): number[] {
  if (axis === null || axis === undefined) return [...Array(rank).keys()];
  const list = Array.isArray(axis) ? axis : [axis];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/**
 * The gradient of a broadcast input: `dy` summed over the axes broadcasting
 * added or stretched, then shaped like the input. Identity when nothing broadcast.
 */
export function sumToShape(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (dy.shape.length === shape.length && dy.shape.every((d, i) => d === shape[i])) return dy;
  const leading = dy.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < dy.shape.length; i++) {
    // Axes broadcasting prepended, and axes of size 1 stretched to the output's size.
    if (i < leading || (shape[i - leading] === 1 && dy.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, [...shape]);
}

/**
 * `dy` of a reduction over `axes` (kept or dropped), expanded back to `shape`:
 * every input element that fed an output element receives that element's `dy`.
 */
export function expandReduced(dy: tf.Tensor, shape: readonly number[], axes: readonly number[]): tf.Tensor {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.broadcastTo(tf.reshape(dy, kept), [...shape]);
}
