/** Native elementwise, reduction, softmax and transpose kernels vs stock: broadcasting, axes, gradients, fallbacks. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastPlan, reductionPlan } from './kernels/elementwise';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectSameAsStockInModes, expectSameBytes, valuesOf } from './test-support/compare';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { laneSum } from './test-support/lane-sum-reference';
import { randomTensor, randomValues } from './test-support/random';

beforeAll(useCpuBackend);

afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

describe('broadcast and reduction plans', () => {
  it('collapses a bias add to [rows, cols] and a same-shape op to one run', () => {
    expect(Array.from(broadcastPlan([4, 5, 6], [6])?.plan ?? [])).toEqual([2, 20, 6, 6, 1, 0, 1]);
    expect(Array.from(broadcastPlan([4, 5, 6], [4, 5, 6])?.plan ?? [])).toEqual([1, 120, 1, 1]);
    expect(Array.from(broadcastPlan([4, 5, 1], [4, 5, 6])?.plan ?? [])).toEqual([2, 20, 6, 1, 0, 6, 1]);
    expect(broadcastPlan([], [])?.outShape).toEqual([]);
  });

  it('views contiguous axes as [outer, reduce, inner] and refuses gaps', () => {
    expect(reductionPlan([2, 3, 4, 5], [1, 2])).toEqual({ outer: 2, reduce: 12, inner: 5, axes: [1, 2] });
    expect(reductionPlan([2, 3, 4], -1)).toEqual({ outer: 6, reduce: 4, inner: 1, axes: [2] });
    expect(reductionPlan([2, 3, 4], [0, 2])).toBeUndefined();
  });
});

describe.skipIf(nativeSkipReason !== undefined)(`elementwise kernels native vs stock${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  const modes = runnableModes();
  const shapes: Array<[number[], number[]]> = [
    [[3, 5, 7], [3, 5, 7]],
    [[3, 5, 7], [7]],
    [[3, 5, 7], [3, 5, 1]],
    [[2, 3, 4, 5], [1, 1, 4, 5]],
    [[4, 1, 6], [1, 5, 1]],
    [[5], []],
    [[], [3, 2]],
    [[70000], [70000]],
    [[300, 257], [257]],
  ];

  for (const [aShape, bShape] of shapes) {
    it(`add, sub, mul, div [${aShape}] ∘ [${bShape}]`, () => {
      const a = randomTensor(aShape, 1);
      const b = tf.tidy(() => tf.add(tf.abs(randomTensor(bShape, 2)), 0.5));
      expectSameAsStockInModes(() => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.sub(b, a)], modes, setMode, 1e-5, `[${aShape}]∘[${bShape}]`);
      tf.dispose([a, b]);
    });
  }

  it('unary math', () => {
    const x = randomTensor([33, 65], 3, 3);
    const positive = tf.tidy(() => tf.add(tf.abs(x), 0.1));
    expectSameAsStockInModes(
      () => [tf.exp(x), tf.tanh(x), tf.square(x), tf.neg(x), tf.rsqrt(positive), tf.sqrt(positive), tf.log(positive), tf.reciprocal(positive), tf.floor(x)],
      modes, setMode, 1e-5, 'unary',
    );
    tf.dispose([x, positive]);
  });

  it('sum, max and mean over contiguous and split axes, with keepDims', () => {
    const x = randomTensor([3, 4, 5, 6], 4);
    const big = randomTensor([1200, 40], 5);
    expectSameAsStockInModes(
      () => [
        tf.sum(x, -1), tf.sum(x, [0, 1]), tf.sum(x, [1, 2], true), tf.sum(x), tf.sum(x, [0, 3]), tf.max(x, -1, true), tf.max(x, [0, 1]),
        tf.mean(x, -1, true), tf.mean(x, [0, 1, 2]), tf.sum(big, 0), tf.mean(big, 1),
      ],
      modes, setMode, 1e-5, 'reduce',
    );
    tf.dispose([x, big]);
  });

  // Sum, mean and max down columns ([outer, reduce, inner] over the middle axis,
  // a bias's gradient): widths off every vector width and off the 512-column
  // block (1031 = 2·512 + 7, 517, 17, 9), row counts off the four-row pass
  // (37, 1030, 5) and below it (3), several outer slices, all split over the pool.
  for (const [outer, reduce, inner] of [[1, 37, 1031], [1, 1030, 9], [3, 5, 517], [2, 3, 17]] as const) {
    it(`columns of [${outer}, ${reduce}, ${inner}]: each summed in double in row order and rounded once, the same bits at every SIMD level and thread count`, () => {
      const values = randomValues(outer * reduce * inner, 40 + reduce);
      const x = tf.tensor3d(values, [outer, reduce, inner]);
      const [sums, means, maxes] = [new Float32Array(outer * inner), new Float32Array(outer * inner), new Float32Array(outer * inner)];
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < inner; j++) {
          let sum = 0;
          let max = -Infinity;
          for (let r = 0; r < reduce; r++) {
            const v = values[(o * reduce + r) * inner + j] as number;
            sum += v;
            max = Math.max(max, v);
          }
          sums[o * inner + j] = sum;
          means[o * inner + j] = sum * (1 / reduce);
          maxes[o * inner + j] = max;
        }
      }
      for (const mode of runnableModes()) {
        setMode(mode);
        const label = `${mode.isa} × ${mode.threads} threads`;
        expectSameBytes(valuesOf(() => tf.sum(x, 1)), sums, `${label}: sum`);
        expectSameBytes(valuesOf(() => tf.mean(x, 1)), means, `${label}: mean`);
        expectSameBytes(valuesOf(() => tf.max(x, 1)), maxes, `${label}: max`);
      }
      x.dispose();
    });
  }

  // Sum and mean along contiguous rows (a loss's mean, the op path's norm):
  // lengths below, at and just past one 16-lane group, and long rows.
  for (const [outer, reduce] of [[3, 15], [2, 16], [5, 17], [4, 1000], [1, 70001]] as const) {
    it(`rows of [${outer}, ${reduce}]: each summed in double in lane-sum.h's order and rounded once, the same bits at every SIMD level and thread count`, () => {
      const values = randomValues(outer * reduce, 60 + reduce);
      const x = tf.tensor2d(values, [outer, reduce]);
      const sums = new Float32Array(outer);
      const means = new Float32Array(outer);
      for (let o = 0; o < outer; o++) {
        const sum = laneSum(values, o * reduce, reduce);
        sums[o] = sum;
        means[o] = sum / reduce;
      }
      for (const mode of runnableModes()) {
        setMode(mode);
        const label = `${mode.isa} × ${mode.threads} threads`;
        expectSameBytes(valuesOf(() => tf.sum(x, 1)), sums, `${label}: sum`);
        expectSameBytes(valuesOf(() => tf.mean(x, 1)), means, `${label}: mean`);
      }
      x.dispose();
    });
  }

  it('rows are summed in exactly that order: ±2^60 in one lane cancel before the ones can be absorbed', () => {
    // 2^60 + 1 rounds back to 2^60 in double. In lane-sum.h's order elements 0
    // and 16 (lane 0) cancel first, so every 1 survives: 37 − 2 = 35. One running
    // sum, or 8 lanes (element 8 between them in lane 0), loses ones.
    const values = new Float32Array(37).fill(1);
    values[0] = 2 ** 60;
    values[16] = -(2 ** 60);
    expect(laneSum(values, 0, values.length)).toBe(35);
    const x = tf.tensor2d(values, [1, 37]);
    for (const mode of runnableModes()) {
      setMode(mode);
      expect(valuesOf(() => tf.sum(x, 1))[0], `${mode.isa} × ${mode.threads} threads`).toBe(35);
    }
    x.dispose();
  });

  it('softmax over the last axis, and its gradient', () => {
    const x = randomTensor([2, 3, 9, 9], 6, 4);
    const w = randomTensor([2, 3, 9, 9], 7);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), w)));
    expectSameAsStockInModes(() => [tf.softmax(x), grad(x)], modes, setMode, 1e-5, 'softmax');
    tf.dispose([x, w]);
  });

  it('transpose of every rank-4 permutation used by attention, and rank 2', () => {
    const x = randomTensor([2, 5, 3, 4], 8);
    const m = randomTensor([37, 19], 9);
    expectSameAsStockInModes(
      () => [tf.transpose(x, [0, 2, 1, 3]), tf.transpose(x, [3, 1, 0, 2]), tf.transpose(x, [0, 1, 3, 2]), tf.transpose(m)],
      modes, setMode, 0, 'transpose',
    );
    tf.dispose([x, m]);
  });

  it('slice and split (and their gradients) on inner and outer axes', () => {
    const x = randomTensor([3, 4, 12], 11);
    const grad = tf.grad((t: tf.Tensor) => {
      const [a, b, c] = tf.split(t, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.sum(tf.mul(tf.mul(a, b), c));
    });
    expectSameAsStockInModes(
      () => [...tf.split(x, 3, -1), ...tf.split(x, [1, 3], 1), tf.slice(x, [1, 0, 2], [2, -1, 5]), tf.slice(x, [0, 3, 0], [3, 1, 12]), grad(x)],
      modes, setMode, 1e-5, 'slice',
    );
    tf.dispose(x);
  });

  it('concat on every axis, with empty parts, and its gradient', () => {
    const a = randomTensor([2, 3, 4], 12);
    const b = randomTensor([2, 5, 4], 13);
    const c = randomTensor([2, 3, 6], 14);
    const empty = tf.zeros([2, 0, 4]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.concat([t, b], 1), tf.concat([b, t], 1))));
    expectSameAsStockInModes(
      () => [tf.concat([a, b], 1), tf.concat([a, c], 2), tf.concat([a, a, a], 0), tf.concat([a, empty, b], 1), tf.concat([a], 1), grad(a)],
      modes, setMode, 1e-6, 'concat',
    );
    tf.dispose([a, b, c, empty]);
  });

  it('leaves int32 and bool to the stock kernels', () => {
    registerNativeCPUKernels();
    const a = tf.tensor1d([1, 2, 3], 'int32');
    const b = tf.tensor1d([4, 5, 6], 'int32');
    expect(Array.from(tf.add(a, b).dataSync())).toEqual([5, 7, 9]);
    expect(Array.from(tf.sum(a).dataSync())).toEqual([6]);
    expect(Array.from(tf.transpose(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32')).dataSync())).toEqual([1, 3, 2, 4]);
    tf.dispose([a, b]);
  });

  it('keeps the tensor count stable', () => {
    registerNativeCPUKernels();
    const x = randomTensor([4, 6], 10);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.softmax(tf.add(tf.mul(x, 2), tf.sum(x, 0)));
      tf.transpose(tf.exp(x));
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
