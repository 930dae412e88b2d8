/**
 * TunekitLayerNorm / TunekitLayerNormGrad vs layer norm built from tfjs ops
 * (forward and autodiff gradients), and the same bits at every SIMD level.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitLayerNorm, TunekitLayerNormGrad } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { nativeModes, nativeSkipReason, restoreIsa, useIsa } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

const isas = [...new Set(nativeModes().map((m) => m.isa))].map((isa) => ({ isa, skip: nativeModes().find((m) => m.isa === isa)?.skip }));

/** core's op-by-op layer norm (model/layers.ts): biased variance, as PyTorch. */
function opLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitLayerNorm}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  // Odd row counts (not a multiple of the 32-row chunks), odd widths, rank 1–3, and a 1-wide axis (variance 0).
  const shapes: number[][] = [[37, 129], [3, 5, 7], [2, 33, 768], [11], [4, 1], [65, 3], [5, 16], [9, 1024]];
  for (const shape of shapes) {
    it(`[${shape.join(', ')}]: y, dx, dgamma, dbeta match the op path (threads 1 and 2)`, () => {
      const cols = shape[shape.length - 1] as number;
      // An offset mean and a non-unit scale, as in a residual stream.
      const x = tf.tidy(() => tf.add(randomTensor(shape, 1, 3), 0.7));
      const gamma = tf.tidy(() => tf.add(randomTensor([cols], 2, 0.5), 1));
      const beta = randomTensor([cols], 3, 0.2);
      const dy = randomTensor(shape, 4);
      const epsilon = 1e-5;
      unregisterNativeCPUKernels();
      const expected = tf.tidy(() => {
        const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(opLayerNorm(a, g, b, epsilon), dy));
        return [opLayerNorm(x, gamma, beta, epsilon), ...tf.grads(loss)([x, gamma, beta])];
      });
      for (const threads of [1, 2]) {
        registerNativeCPUKernels({ threads });
        const [y, mean, rstd] = tf.engine().runKernel(TunekitLayerNorm, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
        const grads = tf.engine().runKernel(TunekitLayerNormGrad, { dy, x, gamma, mean: mean as tf.Tensor, rstd: rstd as tf.Tensor }, {}) as tf.Tensor[];
        expect((y as tf.Tensor).shape).toEqual(shape);
        expect(mean?.shape).toEqual([x.size / cols]);
        expectClose((y as tf.Tensor).dataSync(), (expected[0] as tf.Tensor).dataSync(), 2e-6, 'y');
        expectClose((grads[0] as tf.Tensor).dataSync(), (expected[1] as tf.Tensor).dataSync(), 1e-5, 'dx');
        expectClose((grads[1] as tf.Tensor).dataSync(), (expected[2] as tf.Tensor).dataSync(), 1e-5, 'dgamma');
        expectClose((grads[2] as tf.Tensor).dataSync(), (expected[3] as tf.Tensor).dataSync(), 1e-5, 'dbeta');
        tf.dispose([y as tf.Tensor, mean as tf.Tensor, rstd as tf.Tensor, ...grads]);
      }
      tf.dispose([x, gamma, beta, dy, ...expected]);
    });
  }

  it('gives the same bits at every SIMD level and thread count (fixed lanes, no FMA contraction, fixed-order dgamma/dbeta)', () => {
    // 103 columns: six whole 16-lane blocks and a 7-element tail; 301 rows: not a multiple of the 32-row chunks.
    const x = tf.tidy(() => tf.add(randomTensor([301, 103], 5, 2), 0.4));
    const gamma = randomTensor([103], 6);
    const dy = randomTensor([301, 103], 7);
    const run = (isa: string, threads: number) => {
      useIsa(isa as 'scalar');
      registerNativeCPUKernels({ threads });
      const forward = tf.engine().runKernel(TunekitLayerNorm, { x, gamma, beta: gamma }, { epsilon: 1e-5 }) as tf.Tensor[];
      const [, mean, rstd] = forward as [tf.Tensor, tf.Tensor, tf.Tensor];
      const grads = tf.engine().runKernel(TunekitLayerNormGrad, { dy, x, gamma, mean, rstd }, {}) as tf.Tensor[];
      const out = [...forward, ...grads].map((g) => Array.from(g.dataSync()));
      tf.dispose([...forward, ...grads]);
      return out;
    };
    const reference = run('scalar', 1);
    for (const { isa, skip } of isas) {
      if (skip) continue;
      for (const threads of [1, 3]) expect(run(isa, threads), `${isa} × ${threads} threads`).toEqual(reference);
    }
    restoreIsa();
    tf.dispose([x, gamma, dy]);
  });

  it('rejects a gamma that does not match the last axis', () => {
    registerNativeCPUKernels();
    const x = tf.zeros([2, 4]);
    const gamma = tf.ones([3]);
    expect(() => tf.engine().runKernel(TunekitLayerNorm, { x, gamma, beta: gamma }, { epsilon: 1e-5 })).toThrow(/4 values/);
    tf.dispose([x, gamma]);
  });
});
