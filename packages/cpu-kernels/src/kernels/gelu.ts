/**
 * `TunekitGelu` and `TunekitGeluGrad`: GELU and dy·GELU'(x) in one pass each.
 * Built from tfjs ops, GPT-2's tanh GELU is 9 elementwise kernels forward and
 * about 20 backward over the [tokens, 4·C] MLP activations; @tunekit/core's
 * gelu uses these (with a custom gradient) when the active backend has them.
 * Inputs { x } / { dy, x }; attrs { approximate } (true: `gelu_new`, the tanh
 * form; false: the erf form).
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { float32Values, makeOutput } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** Kernel names, as @tunekit/core looks them up. */
export const GELU = 'TunekitGelu';
export const GELU_GRAD = 'TunekitGeluGrad';

function values(backend: MathBackendCPU, t: TensorInfo, kernel: string): Float32Array {
  const v = float32Values(backend, t);
  if (!v) throw new Error(`${kernel}: inputs must be float32 tensors`);
  return v;
}

export const geluKernel: NativeKernel = {
  kernelName: GELU,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x } = args.inputs as { x: TensorInfo };
      const { approximate } = args.attrs as unknown as { approximate: boolean };
      const xv = values(backend, x, GELU);
      const out = new Float32Array(xv.length);
      addon.gelu(xv, out, approximate);
      return makeOutput(backend, [...x.shape], out);
    };
  },
};

export const geluGradKernel: NativeKernel = {
  kernelName: GELU_GRAD,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
      const { approximate } = args.attrs as unknown as { approximate: boolean };
      const xv = values(backend, x, GELU_GRAD);
      const dyv = values(backend, dy, GELU_GRAD);
      if (dyv.length !== xv.length) throw new Error(`${GELU_GRAD}: dy and x must have the same size`);
      const out = new Float32Array(xv.length);
      addon.geluGrad(dyv, xv, out, approximate);
      return makeOutput(backend, [...x.shape], out);
    };
  },
};
