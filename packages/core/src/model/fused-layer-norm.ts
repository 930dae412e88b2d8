/**
 * Layer norm through the optional fused kernels `TunekitLayerNorm` /
 * `TunekitLayerNormGrad` (@tunekit/cpu-kernels registers them), with a
 * custom gradient: the tape keeps x, gamma and each row's mean and rstd —
 * what llm.c's layernorm_backward needs — instead of the op path's centred,
 * squared and normalised [tokens, C] intermediates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitLayerNorm, TunekitLayerNormGrad } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';

/** Whether the active backend has both fused layer-norm kernels (and x is float32). */
export function canFuseLayerNorm(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && activeBackendHas(TunekitLayerNorm, TunekitLayerNormGrad);
}

/** One customGrad per epsilon (GPT-2 uses one value; the map stays tiny). */
const byEpsilon = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

function fusedFor(epsilon: number): (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
  let fn = byEpsilon.get(epsilon);
  if (!fn) {
    fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const [y, mean, rstd] = runOptionalKernel(TunekitLayerNorm, { x, gamma, beta }, { epsilon });
      save([x, gamma, mean, rstd]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sgamma, smean, srstd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          return runOptionalKernel(TunekitLayerNormGrad, { dy, x: sx, gamma: sgamma, mean: smean, rstd: srstd }, {});
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
