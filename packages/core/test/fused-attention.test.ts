// core's self-attention on the fused kernels (TunekitAttention/-Grad) against
// its op-by-op path, through the whole tiny GPT-2: hidden states and every
// parameter's gradient, in training (attention dropout on, so the dropout
// mask and the seeds drawn after it must match too), with left padding (a
// per-row mask: no future-key skipping) and in evaluation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAttention, TunekitAttentionGrad } from '@tunekit/backend-spec';
import type { GPT2Model } from '@tunekit/core';
import { canFuseAttention } from '../src/model/fused-attention';
import { expectAllClose, readAll, TINY_IDS, tinyNativeModel, useNativeBackend, withoutKernels } from './fused-kernel-support';

const KERNELS = [TunekitAttention, TunekitAttentionGrad];
let skip: string | undefined;
let model: GPT2Model;

beforeAll(async () => {
  skip = await useNativeBackend();
  model = await tinyNativeModel();
});
afterAll(() => model?.dispose());

const IDS = TINY_IDS;

/** Hidden states and the gradient of sum(hidden · w) for every parameter. */
function hiddenAndGrads(options: { training: boolean; attentionMask?: number[][] }): tf.Tensor[] {
  const params = [...model.parameters().values()];
  const mask = options.attentionMask ? tf.tensor2d(options.attentionMask, undefined, 'int32') : undefined;
  const weights = tf.randomUniform([IDS.length, IDS[0]!.length, model.config.embeddingDim], -1, 1, 'float32', 3);
  const run = () => model.transformer(IDS, { training: options.training, seed: 7, attentionMask: mask as tf.Tensor2D | undefined }).hidden;
  const hidden = run();
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(run(), weights)) as tf.Scalar, params);
  const out = [hidden, ...params.map((p) => grads[p.name] as tf.Tensor)];
  tf.dispose([weights, ...(mask ? [mask] : [])]);
  return out;
}

describe('fused attention in the model', () => {
  const cases: Array<[string, { training: boolean; attentionMask?: number[][] }]> = [
    ['training with attention dropout', { training: true }],
    ['training with left padding (per-row mask)', { training: true, attentionMask: [[0, 0, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1]] }],
    ['evaluation', { training: false }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: hidden states and all gradients equal the op path`, (context) => {
      if (skip) return context.skip(skip);
      expect(model.config.attentionDropout).toBeGreaterThan(0); // so the training cases exercise the dropout mask
      expect(canFuseAttention(tf.zeros([1, 2, 6]), tf.zeros([1, 1, 2, 2]), 0.1)).toBe(true);
      const fused = readAll(hiddenAndGrads(options));
      const ops = withoutKernels(KERNELS, () => readAll(hiddenAndGrads(options)));
      expectAllClose(fused, ops, 2e-5, ['hidden', ...[...model.parameters().keys()]]);
    });
  }
});
