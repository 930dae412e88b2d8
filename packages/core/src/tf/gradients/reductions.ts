/** Gradients of the reduction kernels training records: Sum, Mean, Max. */
import * as tf from '@tensorflow/tfjs-core';
import { expandReduced, normaliseAxes } from './shape-helpers';

type Grads = Record<string, () => tf.Tensor>;
interface ReduceAttrs { axis?: number | number[] | null; reductionIndices?: number | number[] | null }

const sum: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs): Grads => {
    const x = saved[0]!;
    const axes = normaliseAxes((attrs as ReduceAttrs).axis, x.rank);
    return { x: () => expandReduced(dy as tf.Tensor, x.shape, axes) };
  },
};

const mean: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs): Grads => {
    const x = saved[0]!;
    const axes = normaliseAxes((attrs as ReduceAttrs).axis, x.rank);
    const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
    return { x: () => tf.div(expandReduced(dy as tf.Tensor, x.shape, axes), count) };
  },
};

const max: tf.GradConfig = {
  kernelName: tf.Max,
  inputsToSave: ['x'],
  outputsToSave: [true],
  // Every element equal to its maximum gets the maximum's dy (ties all do).
  gradFunc: (dy, saved, attrs): Grads => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    const axes = normaliseAxes((attrs as ReduceAttrs).reductionIndices, x.rank);
    return {
      x: () => {
        const isMax = tf.cast(tf.equal(x, expandReduced(y, x.shape, axes)), 'float32');
        return tf.mul(expandReduced(dy as tf.Tensor, x.shape, axes), isMax);
      },
    };
  },
};

/** The reduction gradients, one per kernel. */
export const reductionGradients: tf.GradConfig[] = [sum, mean, max];
