/**
 * TunekitDropoutMask: values, keep rate, determinism per seed and thread
 * count, and the mask of the hash's definition (BigInt) at every SIMD level.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitDropoutMask } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectSameBytes } from './test-support/compare';
import { dropoutMaskReference } from './test-support/dropout-reference';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

function mask(shape: number[], rate: number, seed: number): Float32Array {
  const t = tf.engine().runKernel(TunekitDropoutMask, {}, { shape, rate, seed }) as tf.Tensor;
  expect(t.shape).toEqual(shape);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitDropoutMask}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  it('is 1/(1−rate) or 0, keeping about 1−rate of the elements', () => {
    registerNativeCPUKernels();
    const values = mask([200, 1000], 0.1, 42);
    const scale = Math.fround(1 / Math.fround(0.9));
    let kept = 0;
    for (const v of values) {
      expect(v === 0 || v === scale).toBe(true);
      if (v !== 0) kept++;
    }
    expect(Math.abs(kept / values.length - 0.9)).toBeLessThan(0.005);
    expect(mask([1000], 0, 1).every((v) => v === 1)).toBe(true);
  });

  it('is the same for a seed whatever the thread count, and differs between seeds', () => {
    registerNativeCPUKernels({ threads: 1 });
    const one = mask([3, 70000], 0.5, 7);
    registerNativeCPUKernels({ threads: 2 });
    const two = mask([3, 70000], 0.5, 7);
    registerNativeCPUKernels();
    expect(Array.from(two)).toEqual(Array.from(one));
    const other = mask([3, 70000], 0.5, 8);
    let same = 0;
    for (let i = 0; i < other.length; i++) if (other[i] === one[i]) same++;
    expect(same / other.length).toBeLessThan(0.55);
  });

  // Lengths that end inside every vector loop's tail (1, 15 and 17 around 16
  // lanes) and one the pool splits (70001: the second and third thread's
  // counters start off a 16-element boundary); a negative and a > 2^32 seed.
  for (const n of [1, 15, 17, 70001]) {
    it(`[${n}]: the mask of the hash's definition (BigInt) at every SIMD level and thread count`, () => {
      for (const [rate, seed] of [[0.1, 42], [0.5, -7], [0.3, 2 ** 40 + 3]] as const) {
        const expected = dropoutMaskReference(n, rate, seed);
        for (const mode of runnableModes()) {
          setMode(mode);
          expectSameBytes(mask([n], rate, seed), expected, `${mode.isa} × ${mode.threads} threads, rate ${rate}, seed ${seed}`);
        }
      }
    });
  }

  it('rejects a rate outside [0, 1)', () => {
    registerNativeCPUKernels();
    expect(() => mask([4], 1, 1)).toThrow(/rate/);
  });
});
