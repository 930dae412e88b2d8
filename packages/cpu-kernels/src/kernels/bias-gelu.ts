/**
 * `TunekitBiasGelu` and `TunekitBiasGeluGrad`: the MLP's `gelu(h + b)` in
 * one pass, and its backward (dh and the bias gradient's column sum) in one
 * pass. Op by op this is an add, the GELU and, backward, a separate
 * [tokens, 4·C] sum for db; @tunekit/core's MLP uses these (with a custom
 * gradient that keeps only h and b) when the active backend has them.
 *
 * Forward: inputs { h [..., F], bias [F] }, attrs { approximate } → y (shape of h).
 * Backward: inputs { dy, h, bias } → [dh (shape of h), dbias [F]].
 * approximate: true for the tanh form (`gelu_new`), false for the erf form.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { makeOutput, requireFloat32, rowsOverLastAxis, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** Kernel names, as @tunekit/core looks them up. */
export const BIAS_GELU = 'TunekitBiasGelu';
export const BIAS_GELU_GRAD = 'TunekitBiasGeluGrad';

/** [rows, cols] of h, checking that bias has one value per column. */
function rowsCols(h: TensorInfo, bias: TensorInfo, kernel: string): [number, number] {
  return rowsOverLastAxis(h, [bias], { kernel, x: 'h', perColumn: 'bias' });
}

export const biasGeluKernel: NativeKernel = {
  kernelName: BIAS_GELU,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { h, bias } = args.inputs as { h: TensorInfo; bias: TensorInfo };
      const { approximate } = args.attrs as unknown as { approximate: boolean };
      const [rows, cols] = rowsCols(h, bias, BIAS_GELU);
      const y = new Float32Array(rows * cols);
      addon.biasGelu(requireFloat32(backend, h, BIAS_GELU, 'h'), requireFloat32(backend, bias, BIAS_GELU, 'bias'), y, rows, cols, approximate);
      return makeOutput(backend, [...h.shape], y);
    };
  },
};

export const biasGeluGradKernel: NativeKernel = {
  kernelName: BIAS_GELU_GRAD,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { dy, h, bias } = args.inputs as { dy: TensorInfo; h: TensorInfo; bias: TensorInfo };
      const { approximate } = args.attrs as unknown as { approximate: boolean };
      const [rows, cols] = rowsCols(h, bias, BIAS_GELU_GRAD);
      if (sizeOf(dy.shape) !== rows * cols) throw new Error(`${BIAS_GELU_GRAD}: dy must have h's size (${rows * cols}), got [${dy.shape.join(', ')}]`);
      const dh = new Float32Array(rows * cols);
      const dbias = new Float32Array(cols);
      addon.biasGeluGrad(
        requireFloat32(backend, dy, BIAS_GELU_GRAD, 'dy'), requireFloat32(backend, h, BIAS_GELU_GRAD, 'h'), requireFloat32(backend, bias, BIAS_GELU_GRAD, 'bias'),
        dh, dbias, rows, cols, approximate,
      );
      return [makeOutput(backend, [...h.shape], dh), makeOutput(backend, [...bias.shape], dbias)];
    };
  },
};
