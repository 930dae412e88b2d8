/**
 * Gradients of the element-wise arithmetic kernels training records (with
 * numpy broadcasting on the binary ones): Add, Sub, Multiply, RealDiv, Neg,
 * Square, Sqrt, Rsqrt, Exp, Log.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './shape-helpers';

type Grads = Record<string, () => tf.Tensor>;

const add: tf.GradConfig = {
  kernelName: tf.Add,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = saved as tf.Tensor[];
    return { a: () => sumToShape(dy as tf.Tensor, a!.shape), b: () => sumToShape(dy as tf.Tensor, b!.shape) };
  },
};

const sub: tf.GradConfig = {
  kernelName: tf.Sub,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = saved as tf.Tensor[];
    return { a: () => sumToShape(dy as tf.Tensor, a!.shape), b: () => tf.neg(sumToShape(dy as tf.Tensor, b!.shape)) };
  },
};

const multiply: tf.GradConfig = {
  kernelName: tf.Multiply,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = saved as tf.Tensor[];
    return {
      a: () => sumToShape(tf.mul(dy as tf.Tensor, tf.cast(b!, 'float32')), a!.shape),
      b: () => sumToShape(tf.mul(dy as tf.Tensor, tf.cast(a!, 'float32')), b!.shape),
    };
  },
};

const realDiv: tf.GradConfig = {
  kernelName: tf.RealDiv,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved): Grads => {
    const [a, b] = saved as tf.Tensor[];
    // d(a/b)/da = 1/b, d(a/b)/db = −a/b².
    return {
      a: () => sumToShape(tf.div(dy as tf.Tensor, tf.cast(b!, 'float32')), a!.shape),
      b: () => sumToShape(tf.neg(tf.div(tf.mul(dy as tf.Tensor, tf.cast(a!, 'float32')), tf.square(tf.cast(b!, 'float32')))), b!.shape),
    };
  },
};

const neg: tf.GradConfig = {
  kernelName: tf.Neg,
  gradFunc: (dy): Grads => ({ x: () => tf.neg(dy as tf.Tensor) }),
};

const square: tf.GradConfig = {
  kernelName: tf.Square,
  inputsToSave: ['x'],
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.cast(saved[0]!, 'float32'), 2)) }),
};

const sqrt: tf.GradConfig = {
  kernelName: tf.Sqrt,
  outputsToSave: [true],
  // d√x/dx = 1 / (2√x), from the saved output.
  gradFunc: (dy, saved): Grads => ({ x: () => tf.div(dy as tf.Tensor, tf.mul(saved[0]!, 2)) }),
};

const rsqrt: tf.GradConfig = {
  kernelName: tf.Rsqrt,
  outputsToSave: [true],
  // y = x^(−1/2): dy/dx = −½·x^(−3/2) = −½·y³, from the saved output.
  gradFunc: (dy, saved): Grads => {
    const y = saved[0]!;
    return { x: () => tf.mul(dy as tf.Tensor, tf.mul(tf.mul(tf.square(y), y), -0.5)) };
  },
};

const exp: tf.GradConfig = {
  kernelName: tf.Exp,
  outputsToSave: [true],
  gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, saved[0]!) }),
};

const log: tf.GradConfig = {
  kernelName: tf.Log,
  inputsToSave: ['x'],
  gradFunc: (dy, saved): Grads => ({ x: () => tf.div(dy as tf.Tensor, tf.cast(saved[0]!, 'float32')) }),
};

/** The arithmetic gradients, one per kernel. */
export const arithmeticGradients: tf.GradConfig[] = [add, sub, multiply, realDiv, neg, square, sqrt, rsqrt, exp, log];
