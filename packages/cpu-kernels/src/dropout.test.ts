/**
 * TunekitDropout: `x·mask` and `residual + x·mask` in one pass give the
 * same bits as TunekitDropoutMask, a Multiply and an Add, for any size
 * (odd, across the thread pool's split), any thread count, and for the
 * values where multiplying by a 0 mask is not 0 (−0 from negatives, NaN
 * from ±∞ and NaN); and the mask of the hash's definition (BigInt) applied
 * in float32 at every SIMD level.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitDropout, TunekitDropoutMask } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { expectSameBytes, valuesOf } from './test-support/compare';
import { dropoutMaskReference } from './test-support/dropout-reference';
import { randomTensor, randomValues } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

function composed(x: tf.Tensor, residual: tf.Tensor | undefined, rate: number, seed: number): tf.Tensor {
  const dropped = tf.mul(x, tf.engine().runKernel(TunekitDropoutMask, {}, { shape: [...x.shape], rate, seed }) as tf.Tensor);
  return residual ? tf.add(residual, dropped) : dropped;
}

function fused(x: tf.Tensor, residual: tf.Tensor | undefined, rate: number, seed: number): tf.Tensor {
  return tf.engine().runKernel(TunekitDropout, residual ? { x, residual } : { x }, { rate, seed }) as tf.Tensor;
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitDropout}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const shape of [[1], [3, 7], [5, 40001], [2, 64, 768]]) {
    for (const threads of [1, 2, 3]) {
      it(`[${shape.join(', ')}], ${threads} thread(s): the bytes of mask · x (+ residual)`, () => {
        registerNativeCPUKernels({ threads });
        const x = randomTensor(shape, 1, 2);
        const residual = randomTensor(shape, 2);
        for (const [rate, seed] of [[0.1, 42], [0.5, 7], [0, 3]] as const) {
          expectSameBytes(valuesOf(() => fused(x, undefined, rate, seed)), valuesOf(() => composed(x, undefined, rate, seed)), `rate ${rate}`);
          expectSameBytes(valuesOf(() => fused(x, residual, rate, seed)), valuesOf(() => composed(x, residual, rate, seed)), `rate ${rate}, residual`);
        }
        tf.dispose([x, residual]);
      });
    }
  }

  // Lengths that end inside every vector loop's tail, and one the pool splits.
  for (const n of [1, 15, 17, 70001]) {
    it(`[${n}]: x·mask and residual + x·mask in float32, mask from the hash's definition, at every SIMD level and thread count`, () => {
      const x = randomValues(n, 5, 2);
      const residual = randomValues(n, 6);
      const [xt, rt] = [tf.tensor1d(x), tf.tensor1d(residual)];
      for (const [rate, seed] of [[0.1, 42], [0.5, -7]] as const) {
        const mask = dropoutMaskReference(n, rate, seed);
        const dropped = x.map((v, i) => Math.fround(v * (mask[i] as number)));
        const added = residual.map((r, i) => Math.fround(r + (dropped[i] as number)));
        for (const mode of runnableModes()) {
          setMode(mode);
          const label = `${mode.isa} × ${mode.threads} threads, rate ${rate}`;
          expectSameBytes(valuesOf(() => fused(xt, undefined, rate, seed)), dropped, label);
          expectSameBytes(valuesOf(() => fused(xt, rt, rate, seed)), added, `${label}, residual`);
        }
      }
      tf.dispose([xt, rt]);
    });
  }

  it('multiplies by the mask even where it is 0: −0, NaN and ±∞ come out as a Multiply gives them', () => {
    registerNativeCPUKernels();
    const specials = [-1, -0, 0, Infinity, -Infinity, Number.NaN, 3.5, -2e-38];
    const x = tf.tensor1d(Array.from({ length: 4000 }, (_, i) => specials[i % specials.length] as number));
    const residual = tf.fill([4000], -0);
    const values = valuesOf(() => fused(x, undefined, 0.5, 11));
    expectSameBytes(values, valuesOf(() => composed(x, undefined, 0.5, 11)), 'x·mask');
    expectSameBytes(valuesOf(() => fused(x, residual, 0.5, 11)), valuesOf(() => composed(x, residual, 0.5, 11)), 'residual + x·mask');
    // The case is exercised: some dropped negatives give −0 and some dropped infinities NaN.
    expect(values.some((v, i) => Object.is(v, -0) && specials[i % specials.length] === -1)).toBe(true);
    expect(values.some((v, i) => Number.isNaN(v) && specials[i % specials.length] === Infinity)).toBe(true);
    tf.dispose([x, residual]);
  });

  it('rejects a bad rate, seed or residual shape, naming the kernel', () => {
    registerNativeCPUKernels();
    const x = tf.zeros([4]);
    expect(() => fused(x, undefined, 1, 1)).toThrow(/TunekitDropout: rate must be in \[0, 1\)/);
    expect(() => fused(x, undefined, 0.1, 1.5)).toThrow(/seed an integer/);
    expect(() => fused(x, tf.zeros([5]), 0.1, 1)).toThrow(/TunekitDropout: residual must have x's shape/);
    x.dispose();
  });
});
