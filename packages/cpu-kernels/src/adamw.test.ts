/** The fused TunekitAdamW kernel vs the op-by-op AdamW update it replaces. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAdamW } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { loadAddon } from './native/load-addon';
import { adamwReference } from './test-support/adamw-reference';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose, expectSameBytes } from './test-support/compare';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomTensor, randomValues } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

/** core's AdamW.apply, op by op. */
function reference(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: { beta1: number; beta2: number; decay: number; correction2: number; eps: number; stepSize: number }): tf.Tensor[] {
  return tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const decayed = a.decay !== 1 ? tf.mul(p, a.decay) : p;
    const denominator = tf.add(tf.div(tf.sqrt(v2), a.correction2), a.eps);
    return [tf.sub(decayed, tf.mul(tf.div(m2, denominator), a.stepSize)), m2, v2];
  });
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitAdamW}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const decay of [1, 1 - 1e-3 * 0.1]) {
    it(`matches the op-by-op update (decay ${decay})`, () => {
      const p = randomTensor([70, 301], 1);
      const g = randomTensor([70, 301], 2, 0.1);
      const m = randomTensor([70, 301], 3, 0.01);
      const v = tf.tidy(() => tf.abs(randomTensor([70, 301], 4, 1e-4)));
      const attrs = { beta1: 0.9, beta2: 0.999, decay, correction2: Math.sqrt(1 - 0.999 ** 3), eps: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 3) };
      unregisterNativeCPUKernels();
      const expected = reference(p, g, m, v, attrs);
      registerNativeCPUKernels();
      const before = tf.memory().numTensors;
      const actual = tf.engine().runKernel(TunekitAdamW, { variable: p, gradient: g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      expect(tf.memory().numTensors).toBe(before + 3);
      actual.forEach((t, i) => expectClose(t.dataSync(), (expected[i] as tf.Tensor).dataSync(), 1e-6, `output ${i}`));
      tf.dispose([p, g, m, v, ...expected, ...actual]);
    });
  }

  // Gradient clipping folded into the update: the same bits as clipping first
  // (tf.mul(g, scale), core's clipByGlobalNorm) and passing the clipped copy.
  for (const threads of [1, 2]) {
    it(`gradientScale gives the bits of updating with tf.mul(g, scale) (${threads} thread${threads > 1 ? 's' : ''})`, () => {
      registerNativeCPUKernels({ threads });
      const shape = [33, 517];
      const [p, g, m] = [randomTensor(shape, 5), randomTensor(shape, 6, 3), randomTensor(shape, 7, 0.01)];
      const v = tf.tidy(() => tf.abs(randomTensor(shape, 8, 1e-4)));
      const attrs = { beta1: 0.9, beta2: 0.999, decay: 1 - 1e-4, correction2: Math.sqrt(1 - 0.999 ** 2), eps: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 2) };
      const scale = 1 / (17.3 + 1e-6); // clipCoefficient(17.3, 1): not a power of two, so the rounding shows
      const clipped = tf.mul(g, scale);
      const expected = tf.engine().runKernel(TunekitAdamW, { variable: p, gradient: clipped, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const actual = tf.engine().runKernel(TunekitAdamW, { variable: p, gradient: g, m, v }, { ...attrs, gradientScale: scale } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const unscaled = tf.engine().runKernel(TunekitAdamW, { variable: p, gradient: g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      actual.forEach((t, i) => expect([...t.dataSync()]).toEqual([...(expected[i] as tf.Tensor).dataSync()]));
      // The scale does change the update (a test that cannot fail otherwise).
      expect([...(unscaled[1] as tf.Tensor).dataSync()]).not.toEqual([...(actual[1] as tf.Tensor).dataSync()]);
      tf.dispose([p, g, m, v, clipped, ...expected, ...actual, ...unscaled]);
      unregisterNativeCPUKernels();
    });
  }

  // Lengths that end inside every vector loop's tail (1, 15 and 17 around 16
  // lanes, 63) and one the pool splits (70007: the second and third thread's
  // ranges start off a 16-element boundary).
  for (const n of [1, 15, 17, 63, 70007]) {
    it(`[${n}] into new arrays: the bits of the float32 op order at every SIMD level and thread count`, () => {
      const state = { p: randomValues(n, 20), m: randomValues(n, 21, 0.01), v: randomValues(n, 22, 1e-4).map(Math.abs) };
      const g = randomValues(n, 23, 0.1);
      const inputs = { variable: tf.tensor1d(state.p), gradient: tf.tensor1d(g), m: tf.tensor1d(state.m), v: tf.tensor1d(state.v) };
      const base = { beta1: 0.9, beta2: 0.999, correction2: Math.sqrt(1 - 0.999 ** 5), eps: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 5) };
      for (const attrs of [{ ...base, decay: 1 - 1e-4 }, { ...base, decay: 1, gradientScale: 1 / 17.3 }]) {
        const expected = adamwReference(state, g, attrs);
        for (const mode of runnableModes()) {
          setMode(mode);
          const out = tf.engine().runKernel(TunekitAdamW, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          const label = `${mode.isa} × ${mode.threads} threads, decay ${attrs.decay}`;
          (['p', 'm', 'v'] as const).forEach((key, i) => expectSameBytes((out[i] as tf.Tensor).dataSync() as Float32Array, expected[key], `${label}: ${key}`));
          tf.dispose(out);
        }
      }
      tf.dispose(Object.values(inputs));
    });
  }

  it('the addon refuses outputs that overlap another array unless they are the inputs themselves (its loops use restrict pointers)', () => {
    const addon = loadAddon().addon;
    expect(addon).toBeDefined();
    const buffer = new Float32Array(40);
    const [p, g, m, v] = [0, 1, 2, 3].map((k) => buffer.subarray(8 * k, 8 * k + 8)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const fresh = () => new Float32Array(8);
    const hyper = Float32Array.from([0.9, 0.1, 0.999, 0.001, 1, 0.3, 1e-8, 1e-3, 0]);
    const rule = /pOut, mOut and vOut must be p, m and v themselves or overlap no other array/;
    expect(() => addon?.adamw(p, g, m, v, p, m, v, hyper)).not.toThrow();
    expect(() => addon?.adamw(p, g, m, v, fresh(), fresh(), fresh(), hyper)).not.toThrow();
    expect(() => addon?.adamw(p, g, m, v, buffer.subarray(32, 40), fresh(), fresh(), hyper)).not.toThrow(); // same buffer, apart
    expect(() => addon?.adamw(p, g, m, v, buffer.subarray(1, 9), fresh(), fresh(), hyper)).toThrow(rule);
    expect(() => addon?.adamw(p, g, m, v, p, fresh(), fresh(), hyper)).toThrow(rule);
    expect(() => addon?.adamw(p, g, m, v, m, p, v, hyper)).toThrow(rule);
    expect(() => addon?.adamw(p, p, m, v, p, m, v, hyper)).toThrow(rule);
  });

  it('is registered only while the native kernels are', () => {
    registerNativeCPUKernels();
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeDefined();
    unregisterNativeCPUKernels();
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeUndefined();
  });
});
