/**
 * The matrix-vector path of the native BatchMatMul (rows ≤ 4: token-by-token
 * generation), native/matrix-vector.cc. Its arithmetic is documented, so
 * each output is checked bit for bit against that order written out in
 * float32 here, under every SIMD level and thread count: no FMA contraction
 * in any ISA clone, the same bits however the columns are split over threads.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomValues } from './test-support/random';

const f = Math.fround;

/** B row-major ([k, n]): out accumulates a[p]·B[p, :] over p in order, from 0. */
function rowOrder(a: Float32Array, b: Float32Array, k: number, n: number, j: number): number {
  let out = 0;
  for (let p = 0; p < k; p++) out = f(out + f((a[p] as number) * (b[p * n + j] as number)));
  return out;
}

/** B given transposed ([n, k]): 16 lanes over full groups of 16, the lanes summed in order, then the tail. */
function laneOrder(a: Float32Array, bt: Float32Array, k: number, j: number): number {
  const lanes = new Array<number>(16).fill(0);
  let i = 0;
  for (; i + 16 <= k; i += 16) {
    for (let l = 0; l < 16; l++) lanes[l] = f((lanes[l] as number) + f((a[i + l] as number) * (bt[j * k + i + l] as number)));
  }
  let sum = 0;
  for (let l = 0; l < 16; l++) sum = f(sum + (lanes[l] as number));
  for (; i < k; i++) sum = f(sum + f((a[i] as number) * (bt[j * k + i] as number)));
  return sum;
}

beforeAll(useCpuBackend);

afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

describe.skipIf(nativeSkipReason !== undefined)(`matrix-vector products${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  // [m, k, n]: GPT-2's 768×3072 (split over threads), k not a multiple of 8 or 4
  // (the 4- and 1-row tails) or of 16 (the lanes' tail), odd n (uneven halves), and
  // products small enough to stay on the calling thread.
  const SIZES: Array<[number, number, number]> = [[1, 768, 3072], [3, 771, 517], [4, 301, 1000], [2, 1030, 33], [1, 37, 2], [1, 5, 3]];
  let seed = 500;
  for (const [m, k, n] of SIZES) {
    for (const transposeB of [false, true]) {
      it(`[${m}×${k}]·[${k}×${n}] transposeB=${transposeB}: the documented order's bits at every level and thread count`, () => {
        const a = randomValues(m * k, seed++);
        const b = randomValues(k * n, seed++);
        const expected = new Float32Array(m * n);
        for (let i = 0; i < m; i++) {
          const row = a.subarray(i * k, (i + 1) * k);
          for (let j = 0; j < n; j++) expected[i * n + j] = transposeB ? laneOrder(row, b, k, j) : rowOrder(row, b, k, n, j);
        }
        const at = tf.tensor2d(a, [m, k]);
        const bt = tf.tensor2d(b, transposeB ? [n, k] : [k, n]);
        const modes = runnableModes();
        expect(modes.length).toBeGreaterThan(0);
        for (const mode of modes) {
          setMode(mode);
          const product = tf.matMul(at, bt, false, transposeB);
          const got = product.dataSync() as Float32Array;
          const firstDiff = got.findIndex((v, index) => !Object.is(v, expected[index]));
          expect(firstDiff, `${mode.isa} × ${mode.threads} threads: element ${firstDiff} ${got[firstDiff]} vs ${expected[firstDiff]}`).toBe(-1);
          product.dispose();
        }
        tf.dispose([at, bt]);
      });
    }
  }
});
