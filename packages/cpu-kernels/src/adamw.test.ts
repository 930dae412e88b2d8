/** The fused TunekitAdamW kernel vs the op-by-op AdamW update it replaces. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAdamW } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { nativeSkipReason } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(unregisterNativeCPUKernels);

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

  it('is registered only while the native kernels are', () => {
    registerNativeCPUKernels();
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeDefined();
    unregisterNativeCPUKernels();
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeUndefined();
  });
});
