/**
 * `TunekitAccumulate`: sum + part for a gradient being summed, elementwise
 * with the bits of the native Add. With `consumesInputs` (the caller
 * disposes `sum` right after) and `sum`'s array visible to nothing else
 * (./reusable-arrays.ts), the result goes over that array: summing the tied
 * embedding table's two gradients no longer makes a third [V, C] buffer.
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitAccumulate`.
 */
import { TunekitAccumulate } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { broadcastPlan } from './elementwise';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';
import { outputArray, reusableValues } from './reusable-arrays';

export const accumulateKernel = optionalKernel(TunekitAccumulate, (addon) => ({ sum, part }, attrs, backend) => {
  const a = requireFloat32(backend, sum, TunekitAccumulate, 'sum');
  const b = requireFloat32(backend, part, TunekitAccumulate, 'part');
  if (sum.shape.length !== part.shape.length || sum.shape.some((d, i) => d !== part.shape[i])) {
    throw kernelInputError(TunekitAccumulate, `sum and part must have one shape, got [${sum.shape.join(', ')}] and [${part.shape.join(', ')}]`);
  }
  // Elementwise over one shape: writing out[i] after reading a[i] and b[i] is safe over a itself.
  const inPlace = attrs.consumesInputs === true && a !== b && reusableValues(backend, sum) === a;
  const out = inPlace ? a : outputArray(a.length);
  // The plan tfjs's Add gets for two operands of one shape (the same native loop, the same bits).
  addon.binary(0, a, b, out, (broadcastPlan(sum.shape, part.shape) as { plan: Int32Array }).plan);
  return makeOutput(backend, [...sum.shape], out);
});
