/**
 * TunekitLinear: x·W + b with the bias added in the GEMM's store gives the
 * same bits as the native BatchMatMul followed by the native Add, at every
 * ISA and thread count, for the packed path (odd sizes, edge tiles, K split
 * over several blocks), the matrix-vector path (rows ≤ 4) and K = 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitLinear } from '@tunekit/backend-spec';
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

// [rows, in, out]: GPT-2-like, odd edges, a K longer than one packed block, matrix-vector rows, a single column.
const SHAPES: Array<[number, number, number]> = [[64, 96, 48], [37, 29, 53], [5, 1100, 33], [1, 50, 70], [4, 7, 19], [3, 16, 1], [130, 17, 288]];

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitLinear}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const [rows, inDim, outDim] of SHAPES) {
    it(`[${rows}, ${inDim}] · [${inDim}, ${outDim}] + [${outDim}]: the bytes of matMul then add, every ISA and thread count`, () => {
      const x = randomTensor([rows, inDim], 1, 2);
      const weight = randomTensor([inDim, outDim], 2);
      const bias = randomTensor([outDim], 3, 4);
      for (const mode of runnableModes()) {
        setMode(mode);
        const fused = valuesOf(() => tf.engine().runKernel(TunekitLinear, { x, weight, bias }, {}) as tf.Tensor);
        const separate = valuesOf(() => tf.add(tf.matMul(x, weight), bias));
        expectSameBytes(fused, separate, `${mode.isa} ×${mode.threads}`);
      }
      tf.dispose([x, weight, bias]);
    });
  }

  it('K = 0: the bias in every row', () => {
    registerNativeCPUKernels();
    const y = tf.engine().runKernel(TunekitLinear, { x: tf.zeros([3, 0]), weight: tf.zeros([0, 4]), bias: tf.tensor1d([1, -2, 0.5, -0]) }, {}) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, -2, 0.5, 0, 1, -2, 0.5, 0, 1, -2, 0.5, 0]);
    y.dispose();
  });

  it('rejects mismatched shapes, naming the kernel', () => {
    registerNativeCPUKernels();
    const x = tf.zeros([2, 3]);
    expect(() => tf.engine().runKernel(TunekitLinear, { x, weight: tf.zeros([4, 5]), bias: tf.zeros([5]) }, {})).toThrow(/TunekitLinear: x must be \[rows, in\]/);
    expect(() => tf.engine().runKernel(TunekitLinear, { x, weight: tf.zeros([3, 5]), bias: tf.zeros([4]) }, {})).toThrow(/TunekitLinear: bias must be \[5\]/);
    x.dispose();
  });

  it('makes one tensor and keeps none', () => {
    registerNativeCPUKernels();
    const x = randomTensor([6, 5], 1);
    const weight = randomTensor([5, 7], 2);
    const bias = randomTensor([7], 3);
    const before = tf.memory().numTensors;
    const y = tf.engine().runKernel(TunekitLinear, { x, weight, bias }, {}) as tf.Tensor;
    expect(y.shape).toEqual([6, 7]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, weight, bias, y]);
  });
});
