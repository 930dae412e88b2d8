// LoRA's dropout is the model's dropout: in training, the adapter's term is
// scaling · dropout(x) · Aᵀ · Bᵀ with the mask the model's own dropout() makes
// for the same seed (the native mask kernel when the backend registers it,
// tf.dropout otherwise), so resuming or recomputing a step reproduces it.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoRA, createModel, type ForwardContext, type GPT2Model } from '@tunekit/core';
import { dropout } from '../src/model/layers';

let model: GPT2Model;
beforeAll(async () => {
  model = await createModel({ embeddingDim: 16, numLayers: 1, numHeads: 2, contextLength: 16 }, { seed: 1 });
});
afterAll(() => model.dispose());

/** A training context whose every seed is `seed`. */
const training = (seed: number): ForwardContext => ({ training: true, nextSeed: () => seed });

describe('LoRA dropout', () => {
  it('uses the model’s dropout mask for the same seed, and none outside training', async () => {
    const adapter = createLoRA({ model, rank: 2, alpha: 4, dropout: 0.5, init: 'random', targetModules: ['c_attn'], seed: 3 });
    const [a, b] = [...adapter.parameters().values()] as [tf.Variable, tf.Variable];
    const x = tf.randomUniform([6, 16], -1, 1, 'float32', 7) as tf.Tensor2D;
    const zero = tf.zeros([6, 48]) as tf.Tensor2D;
    const expectedFor = (input: tf.Tensor2D) => tf.mul(tf.matMul(tf.matMul(input, a, false, true), b, false, true), adapter.scaling);

    const got = adapter.hooks.linear!('h.0.attn.c_attn', x, zero, training(1234));
    const expected = expectedFor(dropout(x, 0.5, training(1234)) as tf.Tensor2D);
    expect(Array.from(await got.data())).toEqual(Array.from(await expected.data()));

    const evaluation = adapter.hooks.linear!('h.0.attn.c_attn', x, zero, { training: false, nextSeed: () => 1234 });
    const plain = expectedFor(x);
    expect(Array.from(await evaluation.data())).toEqual(Array.from(await plain.data()));

    tf.dispose([x, zero, got, expected, evaluation, plain]);
    adapter.dispose();
  });
});
