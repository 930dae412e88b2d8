/**
 * TunekitSoftmaxCrossEntropy / TunekitSoftmaxCrossEntropyGrad vs the loss
 * built from stock tfjs ops (logSumExp, a gather) and its autodiff gradient:
 * odd widths (not a multiple of any vector width or of the 16 lanes; GPT-2's 50,257), a
 * single row, V = 1, masked rows (label −100), a scalar and a per-row dy,
 * every SIMD level the CPU has, 1 and 2 threads, and the same bits across
 * levels and thread counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitSoftmaxCrossEntropy as SOFTMAX_CROSS_ENTROPY, TunekitSoftmaxCrossEntropyGrad as SOFTMAX_CROSS_ENTROPY_GRAD } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { nativeModes, nativeSkipReason, restoreIsa, useIsa } from './test-support/native-modes';
import { randomTensor, seededRandom } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

const IGNORE = -100;

/** Labels in [0, cols), every `maskEvery`-th row masked (0: none). */
function makeLabels(rows: number, cols: number, seed: number, maskEvery: number): Int32Array {
  const next = seededRandom(seed);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) labels[r] = maskEvery > 0 && r % maskEvery === 1 ? IGNORE : Math.floor(next() * cols);
  return labels;
}

/** Per-row loss of the op path (core's lm-cross-entropy.ts): logsumexp − the label's logit; masked rows 0. */
function opRowLoss(logits: tf.Tensor2D, labels: Int32Array): tf.Tensor1D {
  const [rows, cols] = logits.shape;
  const mask = tf.tensor1d(Array.from(labels, (l) => (l < 0 ? 0 : 1)), 'float32');
  const safe = tf.tensor1d(Array.from(labels, (l) => Math.max(0, l)), 'int32');
  const flatIndex = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(cols, 'int32')), safe);
  const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex);
  return tf.mul(tf.sub(tf.logSumExp(logits, 1), picked), mask) as tf.Tensor1D;
}

const isas = [...new Set(nativeModes().map((m) => m.isa))].map((isa) => ({ isa, skip: nativeModes().find((m) => m.isa === isa)?.skip }));

describe.skipIf(nativeSkipReason !== undefined)(`${SOFTMAX_CROSS_ENTROPY}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  // [rows, V, mask every n-th row (0 none), dy per row?]
  const cases: Array<[number, number, number, boolean]> = [
    [37, 129, 5, false], [1, 50257, 0, false], [9, 4099, 4, true], [6, 17, 0, true], [3, 1, 0, false], [65, 15, 3, false], [4, 7, 2, true],
  ];
  for (const [rows, cols, maskEvery, perRowDy] of cases) {
    for (const { isa, skip } of isas) {
      it.skipIf(skip !== undefined)(`[${rows}, ${cols}]${maskEvery ? ` masked every ${maskEvery}th` : ''}${perRowDy ? ', dy per row' : ''} ${isa}: loss, logsumexp, dLogits match the op path (threads 1 and 2)${skip ? ` — skipped: ${skip}` : ''}`, () => {
        // Logits up to ±12 (softmax peaks near 1 and tails near 0 both occur).
        const logits = randomTensor([rows, cols], rows * 7 + cols, 12) as tf.Tensor2D;
        const labelValues = makeLabels(rows, cols, cols + 1, maskEvery);
        const labels = tf.tensor1d(labelValues, 'int32');
        const dy = perRowDy ? randomTensor([rows], 3, 2) : tf.scalar(0.37);
        unregisterNativeCPUKernels();
        const expected = tf.tidy(() => {
          const weighted = (x: tf.Tensor) => tf.sum(tf.mul(opRowLoss(x as tf.Tensor2D, labelValues), dy));
          const lse = tf.mul(tf.logSumExp(logits, 1), tf.tensor1d(Array.from(labelValues, (l) => (l < 0 ? 0 : 1))));
          return [opRowLoss(logits, labelValues), lse, ...tf.grads(weighted)([logits])];
        });
        useIsa(isa);
        for (const threads of [1, 2]) {
          registerNativeCPUKernels({ threads });
          const [loss, lse] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels }) as tf.Tensor[];
          const dLogits = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy, logits, labels, logSumExp: lse as tf.Tensor }) as tf.Tensor;
          expect(loss?.shape).toEqual([rows]);
          expect(dLogits.shape).toEqual([rows, cols]);
          // Relative to max(1, |values|): logsumexp of 50,257 values near 12 is ~20.
          expectClose((loss as tf.Tensor).dataSync(), (expected[0] as tf.Tensor).dataSync(), 2e-6, 'loss');
          expectClose((lse as tf.Tensor).dataSync(), (expected[1] as tf.Tensor).dataSync(), 2e-6, 'logSumExp');
          expectClose(dLogits.dataSync(), (expected[2] as tf.Tensor).dataSync(), 2e-6, 'dLogits');
          tf.dispose([loss as tf.Tensor, lse as tf.Tensor, dLogits]);
        }
        restoreIsa();
        tf.dispose([logits, labels, dy, ...expected]);
      });
    }
  }

  it('masked rows give exactly 0 loss and a zero gradient row', () => {
    registerNativeCPUKernels();
    const logits = randomTensor([3, 33], 11, 5);
    const labels = tf.tensor1d([4, IGNORE, 32], 'int32');
    const [loss, lse] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels }) as tf.Tensor[];
    const dLogits = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy: tf.scalar(1), logits, labels, logSumExp: lse as tf.Tensor }) as tf.Tensor;
    const lossValues = (loss as tf.Tensor).dataSync();
    expect(lossValues[1]).toBe(0);
    expect(lossValues[0]).toBeGreaterThan(0);
    expect(Array.from(dLogits.dataSync().subarray(33, 66)).every((v) => v === 0)).toBe(true);
    // Each unmasked gradient row sums to 0 (softmax sums to 1, minus the one-hot).
    expect(Math.abs(Array.from(dLogits.dataSync().subarray(0, 33)).reduce((a, b) => a + b, 0))).toBeLessThan(1e-6);
    tf.dispose([logits, labels, loss as tf.Tensor, lse as tf.Tensor, dLogits]);
  });

  it('gives the same bits at every SIMD level and thread count', () => {
    const rows = 23;
    const cols = 5003;
    const logits = randomTensor([rows, cols], 5, 10);
    const labels = tf.tensor1d(makeLabels(rows, cols, 6, 7), 'int32');
    const run = (isa: string, threads: number) => {
      useIsa(isa as 'scalar');
      registerNativeCPUKernels({ threads });
      const [loss, lse] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels }) as tf.Tensor[];
      const dLogits = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy: tf.scalar(0.5), logits, labels, logSumExp: lse as tf.Tensor }) as tf.Tensor;
      // Bytes, so that −0 vs 0 and NaN payloads count as differences too.
      const out = [loss as tf.Tensor, lse as tf.Tensor, dLogits].map((t) => Buffer.from(Float32Array.from(t.dataSync()).buffer));
      tf.dispose([loss as tf.Tensor, lse as tf.Tensor, dLogits]);
      return out;
    };
    const reference = run('scalar', 1);
    for (const { isa, skip } of isas) {
      if (skip) continue;
      for (const threads of [1, 2, 3]) {
        const out = run(isa, threads);
        out.forEach((bytes, i) => expect(bytes.equals(reference[i] as Buffer), `${isa} × ${threads} threads, output ${i}`).toBe(true));
      }
    }
    restoreIsa();
    tf.dispose([logits, labels]);
  });

  it('rejects a label ≥ V, labels of another length, and a dy of neither one value nor one per row', () => {
    registerNativeCPUKernels();
    const logits = tf.zeros([2, 4]);
    const lse = tf.zeros([2]);
    const good = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels: tf.tensor1d([0, 4], 'int32') })).toThrow(/label 4 at row 1 is not below V = 4/);
    expect(() => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels: tf.tensor1d([0], 'int32') })).toThrow(/one value per row/);
    expect(() => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy: tf.zeros([3]), logits, labels: good, logSumExp: lse })).toThrow(/dy must hold one value or one per row/);
    tf.dispose([logits, lse, good]);
  });
});
