/**
 * `TunekitDropout`: inverted dropout applied in one pass, optionally onto a
 * residual (`residual + x·mask`), the mask regenerated element by element
 * from the counter-based hash that `TunekitDropoutMask` uses, so it is never
 * written out or kept for the backward (the gradient is this kernel again on
 * dy with the same seed). Replaces the mask kernel, a Multiply and the
 * residual Add: three passes over [tokens, C] and one mask tensor per
 * dropout. Inputs, attributes and output: @tunekit/backend-spec's
 * `TunekitDropout`.
 */
import { TunekitDropout } from '@tunekit/backend-spec';
import { util } from '@tensorflow/tfjs-core';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

export const dropoutKernel = optionalKernel(TunekitDropout, (addon) => ({ x, residual }, { rate, seed }, backend) => {
  if (!(rate >= 0 && rate < 1) || !Number.isInteger(seed)) throw kernelInputError(TunekitDropout, `rate must be in [0, 1) and seed an integer, got ${rate}, ${seed}`);
  const xValues = requireFloat32(backend, x, TunekitDropout, 'x');
  let residualValues: Float32Array | null = null;
  if (residual) {
    if (!util.arraysEqual(residual.shape, x.shape)) throw kernelInputError(TunekitDropout, `residual must have x's shape [${x.shape.join(', ')}], got [${residual.shape.join(', ')}]`);
    residualValues = requireFloat32(backend, residual, TunekitDropout, 'residual');
  }
  const out = outputArray(xValues.length);
  addon.dropoutApply(xValues, residualValues, out, rate, seed);
  return makeOutput(backend, [...x.shape], out);
});
