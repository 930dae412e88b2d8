/**
 * TunekitBiasGelu / TunekitBiasGeluGrad vs gelu(h + b) built from stock tfjs
 * ops and its autodiff gradients (dh and db), odd shapes, every SIMD level
 * the CPU has and 1 and 2 threads.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitBiasGelu, TunekitBiasGeluGrad } from '@tunekit/backend-spec';
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

/** core's op-by-op path (model/layers.ts): add the bias, then GELU. */
function opBiasGelu(h: tf.Tensor, bias: tf.Tensor, approximate: boolean): tf.Tensor {
  const x = tf.add(h, bias);
  if (!approximate) return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

const isas = [...new Set(nativeModes().map((m) => m.isa))].map((isa) => ({ isa, skip: nativeModes().find((m) => m.isa === isa)?.skip }));

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitBiasGelu}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  // Odd row counts (not a multiple of the 32-row chunks), widths that are not a
  // multiple of any vector width, rank 1–3, GPT-2's 3072.
  const shapes: number[][] = [[37, 129], [3, 5, 7], [2, 33, 3072], [11], [65, 3], [1, 1, 17]];
  for (const approximate of [true, false]) {
    for (const shape of shapes) {
      for (const { isa, skip } of isas) {
        it.skipIf(skip !== undefined)(`${approximate ? 'tanh' : 'erf'} [${shape.join(', ')}] ${isa}: y, dh, db match the op path (threads 1 and 2)${skip ? ` — skipped: ${skip}` : ''}`, () => {
          const cols = shape[shape.length - 1] as number;
          // Pre-activations up to ±6 cover both saturated tails and the curved middle.
          const h = randomTensor(shape, 1, 5);
          const bias = randomTensor([cols], 2, 1);
          const dy = randomTensor(shape, 3);
          unregisterNativeCPUKernels();
          const expected = tf.tidy(() => {
            const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(opBiasGelu(a, b, approximate), dy));
            return [opBiasGelu(h, bias, approximate), ...tf.grads(loss)([h, bias])];
          });
          useIsa(isa);
          for (const threads of [1, 2]) {
            registerNativeCPUKernels({ threads });
            const y = tf.engine().runKernel(TunekitBiasGelu, { h, bias }, { approximate }) as tf.Tensor;
            const [dh, db] = tf.engine().runKernel(TunekitBiasGeluGrad, { dy, h, bias }, { approximate }) as tf.Tensor[];
            expect(y.shape).toEqual(shape);
            expect(dh?.shape).toEqual(shape);
            expect(db?.shape).toEqual([cols]);
            expectClose(y.dataSync(), (expected[0] as tf.Tensor).dataSync(), 2e-6, 'y');
            expectClose((dh as tf.Tensor).dataSync(), (expected[1] as tf.Tensor).dataSync(), 4e-6, 'dh');
            // db sums up to 66 rows of dh: the op path sums in float32, we in double.
            expectClose((db as tf.Tensor).dataSync(), (expected[2] as tf.Tensor).dataSync(), 1e-5, 'db');
            tf.dispose([y, dh as tf.Tensor, db as tf.Tensor]);
          }
          restoreIsa();
          tf.dispose([h, bias, dy, ...expected]);
        });
      }
    }
  }

  it('gives the same bits at every SIMD level and thread count (no FMA contraction, fixed-order db)', () => {
    const h = randomTensor([301, 96], 5, 4);
    const bias = randomTensor([96], 6);
    const dy = randomTensor([301, 96], 7);
    const run = (isa: string, threads: number) => {
      useIsa(isa as 'scalar');
      registerNativeCPUKernels({ threads });
      const y = tf.engine().runKernel(TunekitBiasGelu, { h, bias }, { approximate: true }) as tf.Tensor;
      const grads = tf.engine().runKernel(TunekitBiasGeluGrad, { dy, h, bias }, { approximate: true }) as tf.Tensor[];
      const out = [y, ...grads].map((g) => Array.from(g.dataSync()));
      tf.dispose([y, ...grads]);
      return out;
    };
    const reference = run('scalar', 1);
    for (const { isa, skip } of isas) {
      if (skip) continue;
      for (const threads of [1, 3]) expect(run(isa, threads), `${isa} × ${threads} threads`).toEqual(reference);
    }
    restoreIsa();
    tf.dispose([h, bias, dy]);
  });

  it('rejects a bias that does not match the last axis, and a dy of another size', () => {
    registerNativeCPUKernels();
    const h = tf.zeros([2, 4]);
    const bias = tf.ones([3]);
    const dy = tf.zeros([2, 3]);
    expect(() => tf.engine().runKernel(TunekitBiasGelu, { h, bias }, { approximate: true })).toThrow(/bias must have 4 values/);
    expect(() => tf.engine().runKernel(TunekitBiasGeluGrad, { dy, h, bias: tf.ones([4]) }, { approximate: true })).toThrow(/dy must have h's size/);
    tf.dispose([h, bias, dy]);
  });
});
