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
import { TunekitSumOfSquares } from '@tunekit/backend-spec';
import { zeroedOutputArray } from './reusable-arrays';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { optionalKernel } from './native-kernel';

export const sumOfSquaresKernel = optionalKernel(TunekitSumOfSquares, (addon) => (inputs, _attrs, backend) => {
  const arrays = Object.values(inputs).map((t, k) => requireFloat32(backend, t, TunekitSumOfSquares, `input ${k}`));
  const out = zeroedOutputArray(arrays.length);
  addon.sumSquares(arrays, out);
  return makeOutput(backend, [arrays.length], out);
});
