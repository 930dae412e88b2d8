/**
 * `TunekitGelu` and `TunekitGeluGrad`: GELU and dy·GELU'(x) in one pass each.
 * Built from tfjs ops, GPT-2's tanh GELU is 9 elementwise kernels forward and
 * about 20 backward over the [tokens, 4·C] MLP activations; @tunekit/core's
 * gelu uses these (with a custom gradient) when the active backend has them.
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitGelu` and
 * `TunekitGeluGrad`.
 */
import { TunekitGelu, TunekitGeluGrad } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

export const geluKernel = optionalKernel(TunekitGelu, (addon) => ({ x }, { approximate }, backend) => {
  const xv = requireFloat32(backend, x, TunekitGelu, 'x');
  const out = outputArray(xv.length);
  addon.gelu(xv, out, approximate);
  return makeOutput(backend, [...x.shape], out);
});

export const geluGradKernel = optionalKernel(TunekitGeluGrad, (addon) => ({ dy, x }, { approximate }, backend) => {
  const xv = requireFloat32(backend, x, TunekitGeluGrad, 'x');
  const dyv = requireFloat32(backend, dy, TunekitGeluGrad, 'dy');
  if (dyv.length !== xv.length) throw kernelInputError(TunekitGeluGrad, 'dy and x must have the same size');
  const out = outputArray(xv.length);
  addon.geluGrad(dyv, xv, out, approximate);
  return makeOutput(backend, [...x.shape], out);
});
