// The LM loss on the fused softmax cross-entropy kernels
// (TunekitSoftmaxCrossEntropy/-Grad) against its op-by-op path: the loss,
// d(loss)/d(hidden) and d(loss)/d(table), with several token chunks (the
// table gradient summed over chunks), one chunk (the fused default), masked
// rows, a single counted row, recomputed logits, and the evaluation stats.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad } from '@tunekit/backend-spec';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { createModel, type GPT2Model, lmCrossEntropy, lmTokenStats } from '@tunekit/core';
import { canFuseSoftmaxCrossEntropy } from '../src/loss/fused-softmax-cross-entropy';
import { expectAllClose, readAll, useNativeBackend, withoutKernels } from './fused-kernel-support';

const KERNELS = [TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad];
const ROWS = 13;
let skip: string | undefined;
let model: GPT2Model;
let hidden: tf.Tensor;

beforeAll(async () => {
  skip = await useNativeBackend();
  // An odd vocabulary (not a multiple of any vector width or of the kernel's 16 lanes).
  model = await createModel({ embeddingDim: 12, numLayers: 1, numHeads: 2, contextLength: 16, vocabSize: 301 }, { backend: createCPUBackend({ prefer: ['native'] }), seed: 1 });
  hidden = tf.randomNormal([ROWS, 12], 0, 3, 'float32', 5);
});
afterAll(() => {
  hidden?.dispose();
  model?.dispose();
});

function labelsFor(masked: number[]): number[] {
  return Array.from({ length: ROWS }, (_, i) => (masked.includes(i) ? -100 : (i * 97 + 3) % 301));
}

/** The loss, d(loss)/d(hidden) and d(loss)/d(wte). */
function lossAndGrads(labels: number[], options: { tokenChunk?: number; recompute?: boolean }): tf.Tensor[] {
  const table = model.params.wte;
  const { value, grads } = tf.variableGrads(() => lmCrossEntropy(hidden, table, labels, options), table.chunks);
  const hiddenGrad = tf.grad((h: tf.Tensor) => lmCrossEntropy(h, table, labels, options))(hidden);
  return [value, hiddenGrad, ...table.chunks.map((c) => grads[c.name] as tf.Tensor)];
}

describe('fused softmax cross-entropy in the LM loss', () => {
  const cases: Array<[string, number[], { tokenChunk?: number; recompute?: boolean }]> = [
    ['four token chunks (table gradient summed over chunks)', [], { tokenChunk: 4 }],
    ['one chunk (the fused default)', [], {}],
    ['masked rows, chunks of 3', [0, 4, 5, 12], { tokenChunk: 3 }],
    ['recomputed logits, chunks of 5', [2], { tokenChunk: 5, recompute: true }],
    ['a single counted row', Array.from({ length: ROWS - 1 }, (_, i) => i + 1), {}],
  ];
  for (const [name, masked, options] of cases) {
    it(`${name}: loss and gradients equal the op path`, (context) => {
      if (skip) return context.skip(skip);
      expect(canFuseSoftmaxCrossEntropy()).toBe(true);
      const labels = labelsFor(masked);
      const before = tf.memory().numTensors;
      const fused = readAll(lossAndGrads(labels, options));
      const ops = withoutKernels(KERNELS, () => {
        expect(canFuseSoftmaxCrossEntropy()).toBe(false);
        return readAll(lossAndGrads(labels, options));
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(fused[0]![0]!)).toBeGreaterThan(0.1); // a real loss, not a zero
      expectAllClose(fused, ops, 2e-6, ['loss', 'd hidden', 'd wte']);
    });
  }

  it('evaluation stats (loss sum, top-1 hits) equal the op path', async (context) => {
    if (skip) return context.skip(skip);
    const labels = labelsFor([1, 7]);
    const fused = await lmTokenStats(hidden, model.params.wte, labels, { tokenChunk: 4 });
    const ops = await withoutKernels(KERNELS, () => lmTokenStats(hidden, model.params.wte, labels, { tokenChunk: 4 }));
    expect(fused.count).toBe(ROWS - 2);
    expect(fused.correct).toBe(ops.correct);
    expect(Math.abs(fused.lossSum - ops.lossSum)).toBeLessThanOrEqual(2e-6 * Math.abs(ops.lossSum));
  });
});
