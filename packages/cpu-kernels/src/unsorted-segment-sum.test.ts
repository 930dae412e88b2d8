/**
 * Native UnsortedSegmentSum (scatter-add) vs the stock kernel, including
 * out-of-range and negative ids (dropped), rank-3 data, and the gather
 * gradient that produces it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectSameAsStockInModes } from './test-support/compare';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomTensor, seededRandom } from './test-support/random';

function ids(shape: number[], low: number, high: number, seed: number): tf.Tensor {
  const next = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Int32Array.from({ length: size }, () => low + Math.floor(next() * (high - low))), shape, 'int32');
}

beforeAll(useCpuBackend);

afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

describe.skipIf(nativeSkipReason !== undefined)(`UnsortedSegmentSum native vs stock${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  const modes = runnableModes();

  const cases: Array<{ x: number[]; ids: number[]; segments: number; low?: number; high?: number }> = [
    { x: [7], ids: [7], segments: 3 },
    { x: [13, 5], ids: [13], segments: 4 },
    { x: [40, 129], ids: [40], segments: 17 },
    { x: [9, 2, 3], ids: [9], segments: 6, low: -3, high: 9 }, // negative and too-large ids are dropped
    { x: [300, 64], ids: [300], segments: 1000 },
  ];
  for (const c of cases) {
    it(`x [${c.x}] ids [${c.ids}] → ${c.segments} segments`, () => {
      const x = randomTensor(c.x, c.segments);
      const segmentIds = ids(c.ids, c.low ?? 0, c.high ?? c.segments, c.x[0] as number);
      expectSameAsStockInModes(() => tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, c.segments), modes, setMode, 1e-5, `segments ${c.segments}`);
      tf.dispose([x, segmentIds]);
    });
  }

  it('the gather (embedding) gradient equals stock', () => {
    const table = randomTensor([50, 24], 3);
    const tokenIds = ids([4, 9], 0, 50, 4);
    const weights = randomTensor([4, 9, 24], 5);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tokenIds), weights)));
    expectSameAsStockInModes(() => grad(table), modes, setMode, 1e-5, 'gather grad');
    tf.dispose([table, tokenIds, weights]);
  });

  it('keeps the tensor count stable', () => {
    registerNativeCPUKernels();
    const x = randomTensor([30, 8], 1);
    const segmentIds = ids([30], 0, 10, 2);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, 10);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, segmentIds]);
  });
});
