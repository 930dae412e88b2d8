/** Gradient of BatchMatMul (either operand transposed, batch dimensions broadcast). */
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './shape-helpers';

type Grads = Record<string, () => tf.Tensor>;

const batchMatMul: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  // y = op(a)·op(b), op = transpose or not. d op(a) = dy·op(b)ᵀ and d op(b) = op(a)ᵀ·dy,
  // each written as one matMul with the transposes folded in; then summed over broadcast batch axes.
  gradFunc: (dy, saved, attrs): Grads => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const g = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(g, b, false, true);
      db = () => tf.matMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(g, b, false, false);
      db = () => tf.matMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, g, false, true);
      db = () => tf.matMul(a, g, false, false);
    } else {
      da = () => tf.matMul(b, g, true, true);
      db = () => tf.matMul(g, a, true, true);
    }
    return { a: () => sumToShape(da(), a.shape), b: () => sumToShape(db(), b.shape) };
  },
};

/** The matrix-product gradients. */
export const matMulGradients: tf.GradConfig[] = [batchMatMul];
