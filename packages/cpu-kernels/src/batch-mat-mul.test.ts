/**
 * Native BatchMatMul vs the stock tfjs cpu kernel: every transpose
 * combination, odd sizes around the register tiles (14×32, 6×16, 4×16) and
 * cache blocks (K split into equal blocks of ≤ 768 or ≤ 256, MC 336/288), packing blocks, batch broadcasting, gradients, and
 * tensor bookkeeping — under every SIMD level and a few thread counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose, expectSameAsStockInModes } from './test-support/compare';
import { nativeModes, nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomTensor, randomValues } from './test-support/random';

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** [m, k, n] of the product; chosen around tile and block edges. */
const SIZES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 17], [17, 33, 129], [129, 257, 3], [64, 300, 65], [1, 513, 40], [40, 7, 1], [14, 256, 32], [15, 257, 33], [340, 270, 40],
  // K over more than one block at every kernel's limit (769 → 2 × 385; 1601 → 3 blocks).
  [20, 769, 33], [9, 1601, 47],
  // m ≤ 4 with enough work to be split over threads: the matrix-vector path.
  [2, 700, 401], [4, 300, 1000],
  // Packing (native/gemm-pack.cc) transposes 16 × 16 / 8 × 8 blocks: k not a multiple of
  // either; 28-row narrow panels (16 + 12 lines); a partial last group of lines in a panel.
  [45, 37, 16], [31, 50, 70],
];

function operand(rows: number, cols: number, transposed: boolean, seed: number, batch: number[] = []): tf.Tensor {
  return randomTensor([...batch, ...(transposed ? [cols, rows] : [rows, cols])], seed);
}

/** Plain JS product with full broadcasting of batch dims: the reference where stock's modulo indexing is wrong. */
function referenceMatMul(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): { shape: number[]; values: Float64Array } {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const outBatch = pa.map((d, i) => Math.max(d, pb[i] as number));
  const batch = outBatch.reduce((x, y) => x * y, 1);
  const values = new Float64Array(batch * m * n);
  for (let o = 0; o < batch; o++) {
    let rest = o;
    let ai = 0;
    let bi = 0;
    let aStride = 1;
    let bStride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outBatch[d] as number;
      const coord = rest % size;
      rest = Math.floor(rest / size);
      if ((pa[d] as number) !== 1) ai += coord * aStride;
      if ((pb[d] as number) !== 1) bi += coord * bStride;
      aStride *= pa[d] as number;
      bStride *= pb[d] as number;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          sum += (av[ai * m * k + (ta ? p * m + i : i * k + p)] as number) * (bv[bi * k * n + (tb ? j * k + p : p * n + j)] as number);
        }
        values[o * m * n + i * n + j] = sum;
      }
    }
  }
  return { shape: [...outBatch, m, n], values };
}

beforeAll(useCpuBackend);

afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

describe('native modes', () => {
  it('lists the SIMD levels and thread counts the comparisons run under', () => {
    expect(nativeModes().length).toBeGreaterThan(0);
  });
  for (const mode of nativeModes().filter((m) => m.skip)) {
    it.skip(`${mode.isa} with ${mode.threads} threads — skipped: ${mode.skip}`, () => {});
  }
});

describe.skipIf(nativeSkipReason !== undefined)(`BatchMatMul native vs stock${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  const modes = runnableModes();
  let seed = 1;

  for (const [m, k, n] of SIZES) {
    for (const [ta, tb] of TRANSPOSES) {
      it(`[${m}×${k}]·[${k}×${n}] transposeA=${ta} transposeB=${tb}`, () => {
        const a = operand(m, k, ta, seed++);
        const b = operand(k, n, tb, seed++);
        expectSameAsStockInModes(() => tf.matMul(a, b, ta, tb), modes, setMode, 1e-4, `${m}x${k}x${n}`);
        tf.dispose([a, b]);
      });
    }
  }

  // Products with n ≤ 16 columns (LoRA's rank-16 x·Aᵀ, dy·B, dyᵀ·low) run on
  // AVX-512's narrow 28×16 tile; each element is the same FMA chain as in the
  // wide 14×32 tile, so the columns must have the bits of the same product
  // with one more column of B (n = 17 takes the wide tile).
  const NARROW: Array<[number, number, number]> = [[1030, 768, 16], [57, 300, 16], [29, 16, 16], [85, 513, 5], [31, 257, 1], [5, 40, 16]];
  for (const [m, k, n] of NARROW) {
    for (const [ta, tb] of TRANSPOSES) {
      it(`narrow [${m}×${k}]·[${k}×${n}] transposeA=${ta} transposeB=${tb}: the bits of the wide tile, close to stock`, () => {
        const a = operand(m, k, ta, seed++);
        const b = operand(k, n, tb, seed++);
        const extra = operand(k, 1, tb, seed++);
        const wider = tf.concat([b, extra], tb ? 0 : 1);
        for (const mode of modes) {
          setMode(mode);
          registerNativeCPUKernels({ threads: mode.threads });
          const [narrow, wide] = tf.tidy(() => [tf.matMul(a, b, ta, tb), tf.slice(tf.matMul(a, wider, ta, tb), [0, 0], [m, n])]);
          expect([...(narrow as tf.Tensor).dataSync()], `${mode.isa} × ${mode.threads}`).toEqual([...(wide as tf.Tensor).dataSync()]);
          tf.dispose([narrow as tf.Tensor, wide as tf.Tensor]);
        }
        expectSameAsStockInModes(() => tf.matMul(a, b, ta, tb), modes, setMode, 1e-4, `${m}x${k}x${n}`);
        tf.dispose([a, b, extra, wider]);
      });
    }
  }

  it('empty dimensions: m = 0, n = 0 and k = 0 (zeros)', () => {
    for (const [m, k, n] of [[0, 5, 4], [3, 5, 0], [3, 0, 4]] as const) {
      const a = operand(m, k, false, seed++);
      const b = operand(k, n, false, seed++);
      expectSameAsStockInModes(() => tf.matMul(a, b), modes, setMode, 1e-4, `${m}x${k}x${n}`);
      tf.dispose([a, b]);
    }
  });

  const batchCases: Array<{ a: number[]; b: number[] }> = [
    { a: [2, 3], b: [2, 3] },
    { a: [4], b: [] },
    { a: [], b: [5] },
    { a: [1], b: [5] },
    { a: [2, 3], b: [3] },
    { a: [12], b: [12] },
  ];
  for (const { a: aBatch, b: bBatch } of batchCases) {
    for (const [ta, tb] of TRANSPOSES) {
      it(`batch [${aBatch}] × [${bBatch}] transposeA=${ta} transposeB=${tb}`, () => {
        const a = operand(19, 23, ta, seed++, aBatch);
        const b = operand(23, 35, tb, seed++, bBatch);
        expectSameAsStockInModes(() => tf.matMul(a, b, ta, tb), modes, setMode, 1e-4, `batch ${aBatch} x ${bBatch}`);
        tf.dispose([a, b]);
      });
    }
  }

  // Stock maps batch i to operand batch i % size, which is wrong when both
  // sides broadcast; we follow real broadcasting (checked against plain JS).
  for (const { a: aBatch, b: bBatch } of [{ a: [3, 1], b: [1, 2] }, { a: [2, 1], b: [3] }, { a: [2, 1, 4], b: [3, 1] }]) {
    it(`two-sided batch broadcasting [${aBatch}] × [${bBatch}] matches a plain reference`, () => {
      for (const mode of modes) {
        setMode(mode);
        const a = operand(9, 13, false, seed++, aBatch);
        const b = operand(13, 11, true, seed++, bBatch);
        const expected = referenceMatMul(a, b, false, true);
        const actual = tf.matMul(a, b, false, true);
        expect(actual.shape).toEqual(expected.shape);
        expectClose(actual.dataSync(), expected.values, 1e-4, `${mode.isa}/${mode.threads}`);
        tf.dispose([a, b, actual]);
      }
    });
  }

  it('rejects mismatched inner dimensions like stock', () => {
    registerNativeCPUKernels();
    const a = tf.zeros([3, 4]);
    const b = tf.zeros([5, 6]);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes \(4\) and \(5\)/);
    tf.dispose([a, b]);
  });

  it('int32 inputs go to the stock kernel', () => {
    registerNativeCPUKernels();
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32');
    const c = tf.matMul(a, b);
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.dataSync())).toEqual([19, 22, 43, 50]);
    tf.dispose([a, b, c]);
  });

  // tfjs's BatchMatMul gradient does not support broadcast batches, so both sides have batch [3].
  for (const [ta, tb] of TRANSPOSES) {
    it(`gradients equal stock (transposeA=${ta}, transposeB=${tb}, batch [3])`, () => {
      const a = operand(17, 29, ta, seed++, [3]);
      const b = operand(29, 13, tb, seed++, [3]);
      const w = randomTensor([3, 17, 13], seed++);
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w)));
      expectSameAsStockInModes(() => grads([a, b]), modes, setMode, 1e-4, 'grads');
      tf.dispose([a, b, w]);
    });
  }

  it('keeps the tensor count stable (forward and backward)', () => {
    registerNativeCPUKernels();
    const a = tf.tensor(randomValues(4 * 31 * 37, 7), [4, 31, 37]);
    const b = tf.tensor(randomValues(4 * 37 * 41, 8), [4, 37, 41]);
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.matMul(a, b);
        grads([a, b]);
      });
      tf.tidy(() => {
        tf.matMul(a, a, true, false);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
