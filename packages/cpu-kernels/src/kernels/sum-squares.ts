/**
 * `TunekitSumOfSquares`: Σx² of every input tensor in one call (the global
 * gradient norm; @tunekit/core's `globalNorm` runs it when the active backend
 * has it registered, else `Square` + `Sum` per gradient and an `AddN`). The op
 * path writes a squared copy of every gradient (475 MB for GPT-2 124M) and
 * reads it again; this reads each gradient once, one gradient per pool task.
 *
 * Inputs: the tensors, as an array (like `AddN`); no attrs. Output: float32
 * [count], entry k with the bits of `Sum(Square(inputs[k]))` on the native
 * elementwise kernels (squares in float32, summed in double in the same
 * order), whatever the thread count.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** The kernel name, as @tunekit/core looks it up. */
export const SUM_OF_SQUARES = 'TunekitSumOfSquares';

export const sumOfSquaresKernel: NativeKernel = {
  kernelName: SUM_OF_SQUARES,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const tensors = Object.values(args.inputs) as TensorInfo[];
      const arrays = tensors.map((t, k) => requireFloat32(backend, t, SUM_OF_SQUARES, `input ${k}`));
      const out = new Float32Array(arrays.length);
      addon.sumSquares(arrays, out);
      return makeOutput(backend, [arrays.length], out);
    };
  },
};
