/**
 * Layer norm through the optional fused kernels `TunekitLayerNorm` /
 * `TunekitLayerNormGrad` (@tunekit/cpu-kernels registers them), with a
 * custom gradient: the tape keeps x, gamma and each row's mean and rstd —
 * what llm.c's layernorm_backward needs — instead of the op path's centred,
 * squared and normalised [tokens, C] intermediates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeBackendHas } from '../tf/optional-kernel';

const LAYER_NORM = 'TunekitLayerNorm';
const LAYER_NORM_GRAD = 'TunekitLayerNormGrad';

/** Whether the active backend has both fused layer-norm kernels (and x is float32). */
export function canFuseLayerNorm(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && activeBackendHas(LAYER_NORM, LAYER_NORM_GRAD);
}

/** One customGrad per epsilon (GPT-2 uses one value; the map stays tiny). */
const byEpsilon = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

function fusedFor(epsilon: number): (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
  let fn = byEpsilon.get(epsilon);
  if (!fn) {
    fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
      save([x, gamma, mean as tf.Tensor, rstd as tf.Tensor]);
      return {
        value: y as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sgamma, smean, srstd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          return tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x: sx, gamma: sgamma, mean: smean, rstd: srstd }, {}) as tf.Tensor[];
        },
      };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    byEpsilon.set(epsilon, fn);
  }
  return fn;
}

/** Fused layer norm over the last axis; call only where {@link canFuseLayerNorm} holds. */
export function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return fusedFor(epsilon)(x, gamma, beta);
}
