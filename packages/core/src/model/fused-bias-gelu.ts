/**
 * The MLP's `gelu(h + b)` through the optional fused kernels
 * `TunekitBiasGelu` / `TunekitBiasGeluGrad` (@tunekit/cpu-kernels registers
 * them), with a custom gradient: the tape keeps h (the matMul's output) and
 * b, and the backward returns dh and db in one pass. Op by op, the bias add
 * writes another [tokens, 4·C] tensor that the GELU then keeps for its
 * gradient, and db is a separate column sum of dh.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitBiasGelu, TunekitBiasGeluGrad } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';
import type { GPT2Activation } from './config';

/** Whether the active backend has both fused bias + GELU kernels (and h is float32). */
export function canFuseBiasGelu(h: tf.Tensor): boolean {
  return h.dtype === 'float32' && activeBackendHas(TunekitBiasGelu, TunekitBiasGeluGrad);
}

function fusedFor(approximate: boolean): (h: tf.Tensor, bias: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [h, bias, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([h, bias]);
    return {
      value: runOptionalKernel(TunekitBiasGelu, { h, bias }, { approximate }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sbias] = saved as [tf.Tensor, tf.Tensor];
        return runOptionalKernel(TunekitBiasGeluGrad, { dy, h: sh, bias: sbias }, { approximate });
      },
    };
  }) as (h: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
}

const fusedTanh = fusedFor(true);
const fusedErf = fusedFor(false);

/** `gelu(h + bias)` fused; call only where {@link canFuseBiasGelu} holds. h [..., F], bias [F]. */
export function fusedBiasGelu(h: tf.Tensor, bias: tf.Tensor, activation: GPT2Activation): tf.Tensor {
  return activation === 'gelu' ? fusedErf(h, bias) : fusedTanh(h, bias);
}
