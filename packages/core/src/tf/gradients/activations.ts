/** Gradients of the activation kernels training records: Tanh, Softplus, Relu, Erf, Softmax. */
import * as tf from '@tensorflow/tfjs-core';
import { normaliseAxes } from './shape-helpers';

type Grads = Record<string, () => tf.Tensor>;

const tanh: tf.GradConfig = {
  kernelName: tf.Tanh,
  outputsToSave: [true],
  // d tanh(x)/dx = 1 − tanh²(x), from the saved output.
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(saved[0]!))) }),
};

const softplus: tf.GradConfig = {
  kernelName: tf.Softplus,
  inputsToSave: ['x'],
  // d log(1 + eˣ)/dx = σ(x).
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.sigmoid(saved[0]!)) }),
};

const relu: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  // 1 where x > 0, else 0 (0 at x = 0, as in PyTorch).
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.cast(tf.greater(saved[0]!, 0), 'float32')) }),
};

const erf: tf.GradConfig = {
  kernelName: tf.Erf,
  inputsToSave: ['x'],
  // d erf(x)/dx = 2/√π · e^(−x²).
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.exp(tf.neg(tf.square(saved[0]!))), 2 / Math.sqrt(Math.PI))) }),
};

const softmax: tf.GradConfig = {
  kernelName: tf.Softmax,
  outputsToSave: [true],
  // dx = y ⊙ (dy − Σ_dim dy ⊙ y), from the saved output y.
  gradFunc: (dy, saved, attrs): Grads => {
    const y = saved[0]!;
    const [dim] = normaliseAxes((attrs as { dim?: number }).dim ?? -1, y.rank);
    return { logits: () => tf.mul(y, tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y), dim, true))) };
  },
};

/** The activation gradients, one per kernel. */
export const activationGradients: tf.GradConfig[] = [tanh, softplus, relu, erf, softmax];
