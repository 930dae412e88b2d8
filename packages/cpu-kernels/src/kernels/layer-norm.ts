/**
 * `TunekitLayerNorm` and `TunekitLayerNormGrad`: GPT-2's layer norm over the
 * last axis in one pass each (llm.c's layernorm_forward/backward). Op by op
 * it is ~6 kernels forward and ~25 backward, and the tape keeps the centred
 * input, its square, the normalised input and more ([tokens, C] each); with
 * these, @tunekit/core's layerNorm keeps only x, gamma and two floats per row.
 *
 * Forward: inputs { x [..., C], gamma [C], beta [C] }, attrs { epsilon } →
 * [y (shape of x), mean [rows], rstd [rows]].
 * Backward: inputs { dy, x, gamma, mean, rstd } → [dx, dgamma, dbeta].
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { makeOutput, requireFloat32, rowsOverLastAxis, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** Kernel names, as @tunekit/core looks them up. */
export const LAYER_NORM = 'TunekitLayerNorm';
export const LAYER_NORM_GRAD = 'TunekitLayerNormGrad';

/** [rows, cols] of x, checking gamma's (and beta's) length against the last axis. */
function rowsCols(x: TensorInfo, params: TensorInfo[], kernel: string): [number, number] {
  return rowsOverLastAxis(x, params, { kernel, x: 'x', perColumn: 'gamma and beta' });
}

export const layerNormKernel: NativeKernel = {
  kernelName: LAYER_NORM,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const { epsilon } = args.attrs as unknown as { epsilon: number };
      const [rows, cols] = rowsCols(x, [gamma, beta], LAYER_NORM);
      const out = new Float32Array(rows * cols);
      const mean = new Float32Array(rows);
      const rstd = new Float32Array(rows);
      addon.layerNorm(requireFloat32(backend, x, LAYER_NORM, 'x'), requireFloat32(backend, gamma, LAYER_NORM, 'gamma'), requireFloat32(backend, beta, LAYER_NORM, 'beta'), out, mean, rstd, rows, cols, epsilon);
      return [makeOutput(backend, [...x.shape], out), makeOutput(backend, [rows], mean), makeOutput(backend, [rows], rstd)];
    };
  },
};

export const layerNormGradKernel: NativeKernel = {
  kernelName: LAYER_NORM_GRAD,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { dy, x, gamma, mean, rstd } = args.inputs as { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; rstd: TensorInfo };
      const [rows, cols] = rowsCols(x, [gamma], LAYER_NORM_GRAD);
      if (sizeOf(dy.shape) !== rows * cols) throw new Error(`${LAYER_NORM_GRAD}: dy must have x's size`);
      if (sizeOf(mean.shape) !== rows || sizeOf(rstd.shape) !== rows) throw new Error(`${LAYER_NORM_GRAD}: mean and rstd must have one value per row (${rows})`);
      const dx = new Float32Array(rows * cols);
      const dgamma = new Float32Array(cols);
      const dbeta = new Float32Array(cols);
      addon.layerNormGrad(
        requireFloat32(backend, dy, LAYER_NORM_GRAD, 'dy'), requireFloat32(backend, x, LAYER_NORM_GRAD, 'x'), requireFloat32(backend, gamma, LAYER_NORM_GRAD, 'gamma'),
        requireFloat32(backend, mean, LAYER_NORM_GRAD, 'mean'), requireFloat32(backend, rstd, LAYER_NORM_GRAD, 'rstd'), dx, dgamma, dbeta, rows, cols,
      );
      return [makeOutput(backend, [...x.shape], dx), makeOutput(backend, [...gamma.shape], dgamma), makeOutput(backend, [...gamma.shape], dbeta)];
    };
  },
};
