/**
 * `TunekitDropoutMask`: the multiplier of inverted dropout, 1/(1 − rate) or
 * 0 per element, from a seeded counter-based hash. tf.dropout draws its
 * uniform noise in JS (seedrandom, ~25 ns an element: 0.3 s for one layer's
 * 1×12×1024×1024 attention probabilities); @tunekit/core's dropout uses this
 * kernel when the active backend has it. No inputs; attrs { shape, rate, seed }.
 * Same seed → same mask (for any thread count), but not tf.dropout's mask.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { makeOutput, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** The kernel name, as @tunekit/core looks it up. */
export const DROPOUT_MASK = 'TunekitDropoutMask';

export interface DropoutMaskAttrs {
  shape: number[];
  rate: number;
  seed: number;
}

export const dropoutMaskKernel: NativeKernel = {
  kernelName: DROPOUT_MASK,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const { shape, rate, seed } = args.attrs as unknown as DropoutMaskAttrs;
      if (!(rate >= 0 && rate < 1) || !Number.isInteger(seed)) throw new Error(`${DROPOUT_MASK}: rate must be in [0, 1) and seed an integer, got ${rate}, ${seed}`);
      const out = new Float32Array(sizeOf(shape));
      addon.dropoutMask(out, rate, seed);
      return makeOutput(args.backend as MathBackendCPU, [...shape], out);
    };
  },
};
