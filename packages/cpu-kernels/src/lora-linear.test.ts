/**
 * TunekitLoRALinear and TunekitLoRALinearGrad: the low-rank term added in
 * the GEMM's tiles gives the same bits as the op path — the native
 * BatchMatMuls, a Multiply by the (power-of-two) scaling and the Adds — at
 * every ISA and thread count, on the packed path (odd sizes, edge tiles, more
 * than one row block and column block, the narrow tile, rank 1 and the
 * largest rank) and the matrix-vector path (rows ≤ 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitLoRALinear, TunekitLoRALinearGrad } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { expectSameBytes, valuesOf } from './test-support/compare';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

const scaled = (t: tf.Tensor, scaling: number) => (scaling === 1 ? t : tf.mul(t, scaling));

// [rows, in, out, r, scaling]: GPT-2-like, odd edges, > one MC block of rows (336), > one NC block of
// columns (2048), out ≤ 16 (the narrow AVX-512 tile), rank 1 and 256, matrix-vector rows, the base
// product's K over several blocks (the term is added after the last).
const SHAPES: Array<[number, number, number, number, number]> = [
  [64, 96, 48, 16, 1], [37, 29, 53, 3, 2], [5, 300, 33, 16, 0.5], [1, 50, 70, 8, 1], [4, 7, 19, 1, 4],
  [20, 16, 10, 16, 1], [130, 17, 288, 256, 1], [340, 40, 37, 7, 2], [9, 8, 2100, 4, 1], [6, 1601, 40, 8, 2],
];

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitLoRALinear}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const [rows, inDim, outDim, rank, scaling] of SHAPES) {
    it(`[${rows}, ${inDim}] → [${outDim}], r ${rank}, scaling ${scaling}: forward and input gradient have the op path's bytes, every ISA and thread count`, () => {
      const x = randomTensor([rows, inDim], 1, 2);
      const weight = randomTensor([inDim, outDim], 2);
      const bias = randomTensor([outDim], 3, 4);
      const loraA = randomTensor([rank, inDim], 5);
      const loraB = randomTensor([outDim, rank], 6);
      const dy = randomTensor([rows, outDim], 7);
      const dLow = randomTensor([rows, rank], 8);
      for (const mode of runnableModes()) {
        setMode(mode);
        const label = `${mode.isa} ×${mode.threads}`;
        const fused = valuesOf(() => (tf.engine().runKernel(TunekitLoRALinear, { x, weight, bias, loraA, loraB }, { scaling }) as tf.Tensor[])[0] as tf.Tensor);
        const separate = valuesOf(() => tf.add(tf.add(tf.matMul(x, weight), bias), scaled(tf.matMul(tf.matMul(x, loraA, false, true), loraB, false, true), scaling)));
        expectSameBytes(fused, separate, `forward, ${label}`);
        const low = valuesOf(() => (tf.engine().runKernel(TunekitLoRALinear, { x, weight, bias, loraA, loraB }, { scaling }) as tf.Tensor[])[1] as tf.Tensor);
        expectSameBytes(low, valuesOf(() => tf.matMul(x, loraA, false, true)), `x·Aᵀ, ${label}`);
        const fusedGrad = valuesOf(() => tf.engine().runKernel(TunekitLoRALinearGrad, { dy, weight, dLow, loraA }, {}) as tf.Tensor);
        const separateGrad = valuesOf(() => tf.add(tf.matMul(dy, weight, false, true), tf.matMul(dLow, loraA)));
        expectSameBytes(fusedGrad, separateGrad, `input gradient, ${label}`);
      }
      tf.dispose([x, weight, bias, loraA, loraB, dy, dLow]);
    });
  }

  it('adds the term where the base product has K = 0 (dy with no columns: dx is 0 + dLow·A)', () => {
    for (const mode of runnableModes()) {
      setMode(mode);
      const dy = tf.zeros([30, 0]);
      const weight = tf.zeros([6, 0]);
      const dLow = randomTensor([30, 2], 2);
      const loraA = randomTensor([2, 6], 3);
      const dx = valuesOf(() => tf.engine().runKernel(TunekitLoRALinearGrad, { dy, weight, dLow, loraA }, {}) as tf.Tensor);
      expectSameBytes(dx, valuesOf(() => tf.add(tf.matMul(dy, weight, false, true), tf.matMul(dLow, loraA))), `${mode.isa} ×${mode.threads}`);
      tf.dispose([dy, weight, dLow, loraA]);
    }
  });

  it('rejects bad shapes, a rank over 256 and a scaling that is not a power of two, naming the kernel', () => {
    registerNativeCPUKernels();
    const x = tf.zeros([2, 3]);
    const weight = tf.zeros([3, 4]);
    const bias = tf.zeros([4]);
    const run = (loraA: tf.Tensor, loraB: tf.Tensor, scaling = 1) => () => tf.engine().runKernel(TunekitLoRALinear, { x, weight, bias, loraA, loraB }, { scaling });
    expect(run(tf.zeros([2, 5]), tf.zeros([4, 2]))).toThrow(/TunekitLoRALinear: loraA must be \[r, 3\]/);
    expect(run(tf.zeros([2, 3]), tf.zeros([4, 3]))).toThrow(/TunekitLoRALinear: loraA must be \[r, 3\] and loraB \[4, r\]/);
    expect(run(tf.zeros([257, 3]), tf.zeros([4, 257]))).toThrow(/TunekitLoRALinear: r must be in \[1, 256\], got 257/);
    expect(run(tf.zeros([2, 3]), tf.zeros([4, 2]), 1.5)).toThrow(/TunekitLoRALinear: scaling must be a power of two/);
    expect(() => tf.engine().runKernel(TunekitLoRALinearGrad, { dy: tf.zeros([2, 4]), weight, dLow: tf.zeros([2, 2]), loraA: tf.zeros([2, 5]) }, {})).toThrow(/TunekitLoRALinearGrad: dLow must be \[2, r\] and loraA \[r, 3\]/);
    tf.dispose([x, weight, bias]);
  });

  it('makes its two outputs and keeps nothing else', () => {
    registerNativeCPUKernels();
    const inputs = { x: randomTensor([6, 5], 1), weight: randomTensor([5, 7], 2), bias: randomTensor([7], 3), loraA: randomTensor([2, 5], 4), loraB: randomTensor([7, 2], 5) };
    const before = tf.memory().numTensors;
    const [y, low] = tf.engine().runKernel(TunekitLoRALinear, inputs, { scaling: 2 }) as tf.Tensor[];
    expect(y?.shape).toEqual([6, 7]);
    expect(low?.shape).toEqual([6, 2]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([...Object.values(inputs), y!, low!]);
  });
});
