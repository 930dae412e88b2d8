/**
 * The one way core makes variables. A tfjs variable shares the data of the
 * tensor it is made from and takes its own reference to it, so that tensor
 * must be disposed as well or the weight's memory outlives `variable.dispose()`
 * (4 MiB per 1024 × 1024 weight; GPU memory on WebGPU). Both helpers build
 * the initial tensor inside a tidy, which disposes it and keeps the variable.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link variableOf} and {@link float32Variable}. */
export interface VariableOptions {
  /** Whether the trainer may update it. Default true. */
  trainable?: boolean;
}

/** A variable initialised from the tensor `initial` returns; that tensor (and any intermediate) is disposed. */
export function variableOf(initial: () => tf.Tensor, options: VariableOptions = {}): tf.Variable {
  return tf.tidy(() => tf.variable(initial(), options.trainable ?? true));
}

/** A float32 variable holding `values` in row-major order. */
export function float32Variable(values: Float32Array, shape: readonly number[], options: VariableOptions = {}): tf.Variable {
  return variableOf(() => tf.tensor(values, [...shape], 'float32'), options);
}
