/**
 * TunekitAttention / TunekitAttentionGrad vs attention built from tfjs ops
 * (values and autodiff gradients) under every SIMD level the CPU has, and the
 * same bytes at every level and thread count for odd shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAttention, type TunekitAttentionAttrs, TunekitAttentionGrad, TunekitDropoutMask } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { nativeModes, nativeSkipReason, restoreIsa, useIsa } from './test-support/native-modes';
import { randomTensor, randomValues, seededRandom } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

/** The op-by-op path of core's attention: split, heads, scores, mask, softmax, dropout (the native mask kernel), merge. */
function opAttention(qkv: tf.Tensor, mask: tf.Tensor, attrs: TunekitAttentionAttrs): tf.Tensor {
  const [batch, time, width] = qkv.shape as [number, number, number];
  const channels = width / 3;
  const headDim = channels / attrs.heads;
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, time, attrs.heads, headDim]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const scores = tf.add(tf.mul(tf.matMul(heads(q), heads(k), false, true), attrs.scale), mask);
  let p = tf.softmax(scores, -1);
  if (attrs.dropoutRate > 0) p = tf.mul(p, tf.engine().runKernel(TunekitDropoutMask, {}, { shape: [...p.shape], rate: attrs.dropoutRate, seed: attrs.seed }) as tf.Tensor);
  return tf.reshape(tf.transpose(tf.matMul(p, heads(v)), [0, 2, 1, 3]), [batch, time, channels]);
}

/** Causal additive mask [1, 1, T, T], plus left padding per row when `padded` is given ([B, 1, T, T]). */
function makeMask(batch: number, time: number, padded?: number[]): tf.Tensor {
  const rows = padded ? batch : 1;
  const values = new Float32Array(rows * time * time);
  for (let b = 0; b < rows; b++) {
    for (let i = 0; i < time; i++) {
      for (let j = 0; j < time; j++) {
        let m = j > i ? -1e9 : 0;
        if (padded && j < (padded[b] as number)) m += -1e9;
        values[(b * time + i) * time + j] = m;
      }
    }
  }
  return tf.tensor4d(values, [rows, 1, time, time]);
}

/** The kernel's out and dqkv (and its stats with `withStats`). */
function runAttention(qkv: tf.Tensor, dy: tf.Tensor, mask: tf.Tensor, attrs: TunekitAttentionAttrs, withStats = false): tf.Tensor[] {
  const [out, stats] = tf.engine().runKernel(TunekitAttention, { qkv, mask }, { ...attrs }) as [tf.Tensor, tf.Tensor];
  const dqkv = tf.engine().runKernel(TunekitAttentionGrad, { dy, qkv, mask, out, stats }, { ...attrs }) as tf.Tensor;
  if (withStats) return [out, stats, dqkv];
  stats.dispose();
  return [out, dqkv];
}

interface Case {
  name: string;
  batch: number;
  time: number;
  heads: number;
  headDim: number;
  padded?: number[];
  dropoutRate: number;
}

const CASES: Case[] = [
  { name: 'odd sizes, one block', batch: 2, time: 37, heads: 3, headDim: 5, dropoutRate: 0 },
  { name: 'three query blocks (T = 130)', batch: 1, time: 130, heads: 2, headDim: 16, dropoutRate: 0 },
  { name: 'dropout 0.1 (same mask as the dropout kernel)', batch: 2, time: 70, heads: 2, headDim: 8, dropoutRate: 0.1 },
  { name: 'left padding (per-row mask, whole rows masked), dropout', batch: 3, time: 29, heads: 2, headDim: 7, padded: [0, 5, 28], dropoutRate: 0.2 },
  { name: 'one token (T = 1), dropout 0.5 (rate · 2^24 an integer)', batch: 2, time: 1, heads: 2, headDim: 16, dropoutRate: 0.5 },
  { name: 'two blocks (T = 67), head_dim 20, left padding, dropout', batch: 2, time: 67, heads: 2, headDim: 20, padded: [3, 0], dropoutRate: 0.1 },
];

const isas = [...new Set(nativeModes().map((m) => m.isa))].map((isa) => ({ isa, skip: nativeModes().find((m) => m.isa === isa)?.skip }));

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitAttention}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const c of CASES) {
    for (const { isa, skip } of isas) {
      it.skipIf(skip !== undefined)(`${c.name} ${isa}: out and dqkv match the op path (threads 1 and 2)${skip ? ` — skipped: ${skip}` : ''}`, () => {
        const width = 3 * c.heads * c.headDim;
        const qkv = randomTensor([c.batch, c.time, width], 1, 2);
        const dy = randomTensor([c.batch, c.time, width / 3], 2);
        const mask = makeMask(c.batch, c.time, c.padded);
        const attrs: TunekitAttentionAttrs = { heads: c.heads, scale: 1 / Math.sqrt(c.headDim), skipFuture: !c.padded, dropoutRate: c.dropoutRate, seed: 1234 };
        registerNativeCPUKernels();
        const expected = tf.tidy(() => [opAttention(qkv, mask, attrs), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(opAttention(t, mask, attrs), dy)))(qkv)]);
        useIsa(isa);
        for (const threads of [1, 2]) {
          registerNativeCPUKernels({ threads });
          const [out, dqkv] = runAttention(qkv, dy, mask, attrs);
          expect(out.shape).toEqual([c.batch, c.time, width / 3]);
          expectClose(out.dataSync(), (expected[0] as tf.Tensor).dataSync(), 1e-5, 'out');
          expectClose(dqkv.dataSync(), (expected[1] as tf.Tensor).dataSync(), 1e-5, 'dqkv');
          tf.dispose([out, dqkv]);
        }
        restoreIsa();
        tf.dispose([qkv, dy, mask, ...expected]);
      });
    }
  }

  it('gives the same bytes at every thread count (1, 2, 3) at each SIMD level, and at every level for exact products', () => {
    // [batch, time, heads, headDim, dropout, left padding per row]
    const shapes: Array<[number, number, number, number, number, number[] | undefined]> = [
      [2, 1, 2, 16, 0.1, undefined], [2, 37, 3, 5, 0, undefined], [1, 130, 2, 20, 0.1, undefined],
      [3, 29, 2, 7, 0.2, [0, 5, 28]], [2, 70, 2, 24, 0, [0, 3]],
    ];
    // Entries ±2^e or 0: every product in the GEMMs is exact, so its kernels
    // agree although the portable one does not fuse multiply-add, and any
    // difference between levels comes from the softmax, dropout and dscores.
    const exactValues = (size: number, seed: number) => {
      const next = seededRandom(seed);
      return Float32Array.from({ length: size }, () => {
        const r = next();
        return r < 0.1 ? 0 : (r < 0.55 ? -1 : 1) * 2 ** (Math.floor(next() * 6) - 4);
      });
    };
    for (const [batch, time, heads, headDim, dropoutRate, padded] of shapes) {
      const width = 3 * heads * headDim;
      const mask = makeMask(batch, time, padded);
      const attrs: TunekitAttentionAttrs = { heads, scale: 1 / Math.sqrt(headDim), skipFuture: !padded, dropoutRate, seed: 77 };
      const name = `[${batch}, ${time}, ${heads}×${headDim}]${dropoutRate ? ` dropout ${dropoutRate}` : ''}${padded ? ' padded' : ''}`;
      for (const exact of [true, false]) {
        const qkv = exact ? tf.tensor3d(exactValues(batch * time * width, time), [batch, time, width]) : randomTensor([batch, time, width], time, 2);
        const dy = exact ? tf.tensor3d(exactValues(batch * time * (width / 3), time + 1), [batch, time, width / 3]) : randomTensor([batch, time, width / 3], time + 1);
        const run = (isa: string, threads: number) => {
          useIsa(isa as 'scalar');
          registerNativeCPUKernels({ threads });
          const outputs = runAttention(qkv, dy, mask, attrs, true);
          // Bytes, so that −0 vs 0 and NaN payloads count as differences too.
          const bytes = outputs.map((t) => Buffer.from(Float32Array.from(t.dataSync()).buffer));
          tf.dispose(outputs);
          return bytes;
        };
        let reference = exact ? run('scalar', 1) : undefined;
        for (const { isa, skip } of isas) {
          if (skip) continue;
          if (!exact) reference = run(isa, 1);
          for (const threads of [1, 2, 3]) {
            const bytes = run(isa, threads);
            ['out', 'stats', 'dqkv'].forEach((output, i) =>
              expect(bytes[i]?.equals(reference?.[i] as Buffer), `${name} ${exact ? 'exact' : 'random'} ${isa} × ${threads} threads: ${output}`).toBe(true),
            );
          }
        }
        tf.dispose([qkv, dy]);
      }
      tf.dispose(mask);
    }
    restoreIsa();
  });

  it('skipping future keys gives the same result as computing them under the causal mask', () => {
    registerNativeCPUKernels();
    const qkv = tf.tensor3d(randomValues(2 * 66 * 24, 3, 2), [2, 66, 24]);
    const dy = randomTensor([2, 66, 8], 4);
    const mask = makeMask(2, 66);
    const run = (skipFuture: boolean) => {
      const attrs = { heads: 2, scale: 0.5, skipFuture, dropoutRate: 0.1, seed: 9 };
      const [out, stats] = tf.engine().runKernel(TunekitAttention, { qkv, mask }, attrs) as tf.Tensor[];
      const dqkv = tf.engine().runKernel(TunekitAttentionGrad, { dy, qkv, mask, out: out as tf.Tensor, stats: stats as tf.Tensor }, attrs) as tf.Tensor;
      const result = [Float32Array.from((out as tf.Tensor).dataSync()), Float32Array.from(dqkv.dataSync())];
      tf.dispose([out as tf.Tensor, stats as tf.Tensor, dqkv]);
      return result;
    };
    const [skipOut, skipGrad] = run(true);
    const [fullOut, fullGrad] = run(false);
    expectClose(skipOut as Float32Array, fullOut as Float32Array, 1e-6, 'out');
    expectClose(skipGrad as Float32Array, fullGrad as Float32Array, 1e-6, 'dqkv');
    tf.dispose([qkv, dy, mask]);
  });

  it('rejects a mask of the wrong shape', () => {
    registerNativeCPUKernels();
    const qkv = tf.zeros([2, 4, 6]);
    const mask = tf.zeros([1, 1, 4, 5]);
    expect(() => tf.engine().runKernel(TunekitAttention, { qkv, mask }, { heads: 1, scale: 1, skipFuture: true, dropoutRate: 0, seed: 0 })).toThrow(/mask must be/);
    tf.dispose([qkv, mask]);
  });
});
