/**
 * TunekitSumOfSquares vs the op path it replaces in core's `globalNorm`
 * (`Sum(Square(x))` per tensor): the same bits as the native Square + Sum,
 * close to tfjs's stock JS kernels, odd sizes, every SIMD level the CPU has,
 * 1, 2 and 3 threads giving the same bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitSumOfSquares as SUM_OF_SQUARES } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { laneSum } from './test-support/lane-sum-reference';
import { nativeModes, nativeSkipReason, restoreIsa, runnableModes, setMode, useIsa } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

const isas = [...new Set(nativeModes().map((m) => m.isa))].map((isa) => ({ isa, skip: nativeModes().find((m) => m.isa === isa)?.skip }));

/** Sum(Square(x)) per tensor on whatever kernels are registered. */
function opPath(tensors: tf.Tensor[]): Float32Array {
  return Float32Array.from(tensors.map((t) => tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0] as number)));
}

describe.skipIf(nativeSkipReason !== undefined)(`${SUM_OF_SQUARES}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  // Sizes around the 16 lanes (1, 3, 15, 16, 17, 35), a scalar, an empty
  // tensor, a bias, a weight matrix and one large enough to dominate the pool.
  const shapes: number[][] = [[], [1], [3], [5, 7], [0], [768], [129, 31], [2, 3, 5], [1000, 1003], [15], [16], [17]];
  for (const { isa, skip } of isas) {
    it.skipIf(skip !== undefined)(`${isa}: each entry has the bits of the native Square + Sum, at 1, 2 and 3 threads${skip ? ` — skipped: ${skip}` : ''}`, () => {
      const tensors = shapes.map((shape, k) => randomTensor(shape, 10 + k, 3));
      unregisterNativeCPUKernels();
      const stock = opPath(tensors);
      useIsa(isa);
      let first: Float32Array | undefined;
      for (const threads of [1, 2, 3]) {
        registerNativeCPUKernels({ threads });
        const expected = opPath(tensors);
        const sums = tf.engine().runKernel(SUM_OF_SQUARES, tensors as unknown as tf.NamedTensorMap, {}) as tf.Tensor;
        expect(sums.shape).toEqual([tensors.length]);
        const values = sums.dataSync() as Float32Array;
        expect([...values]).toEqual([...expected]);
        expectClose(values, stock, 1e-5, 'vs stock JS kernels');
        if (first) expect([...values]).toEqual([...first]);
        first = Float32Array.from(values);
        sums.dispose();
        unregisterNativeCPUKernels();
      }
      expect(first?.[4]).toBe(0); // the empty tensor
      tf.dispose(tensors);
    });
  }

  it('each entry is lane-sum.h\'s order over float32 squares, rounded once: the same bits at every SIMD level and thread count', () => {
    const tensors = [[17], [35], [1000, 1003], [4097]].map((shape, k) => randomTensor(shape, 30 + k, 2));
    const expected = Float32Array.from(
      tensors.map((t) => {
        const values = t.dataSync();
        return laneSum(values, 0, values.length, (v) => Math.fround(v * v));
      }),
    );
    for (const mode of runnableModes()) {
      setMode(mode);
      const sums = tf.engine().runKernel(SUM_OF_SQUARES, tensors as unknown as tf.NamedTensorMap, {}) as tf.Tensor;
      expect([...sums.dataSync()], `${mode.isa} × ${mode.threads} threads`).toEqual([...expected]);
      sums.dispose();
    }
    restoreIsa();
    tf.dispose(tensors);
  });

  it('refuses a non-float32 input', () => {
    registerNativeCPUKernels({ threads: 2 });
    const ints = tf.tensor([1, 2], [2], 'int32');
    expect(() => tf.engine().runKernel(SUM_OF_SQUARES, [ints] as unknown as tf.NamedTensorMap, {})).toThrow(/float32/);
    ints.dispose();
    unregisterNativeCPUKernels();
  });
});
