/**
 * `TunekitDropoutMask`: the multiplier of inverted dropout, 1/(1 − rate) or
 * 0 per element, from a seeded counter-based hash. tf.dropout draws its
 * uniform noise in JS (seedrandom, ~25 ns an element: 0.3 s for one layer's
 * 1×12×1024×1024 attention probabilities); @tunekit/core's dropout uses this
 * kernel when the active backend has it. Same seed → same mask (for any
 * thread count), but not tf.dropout's mask. Inputs, attributes and output:
 * @tunekit/backend-spec's `TunekitDropoutMask`.
 */
import { TunekitDropoutMask } from '@tunekit/backend-spec';
import { makeOutput, sizeOf } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

export const dropoutMaskKernel = optionalKernel(TunekitDropoutMask, (addon) => (_inputs, { shape, rate, seed }, backend) => {
  if (!(rate >= 0 && rate < 1) || !Number.isInteger(seed)) throw kernelInputError(TunekitDropoutMask, `rate must be in [0, 1) and seed an integer, got ${rate}, ${seed}`);
  const out = outputArray(sizeOf(shape));
  addon.dropoutMask(out, rate, seed);
  return makeOutput(backend, [...shape], out);
});
