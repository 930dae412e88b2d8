// The classification and value heads: names and shapes as in the Hugging Face
// and TRL checkpoints, pooling at the last real token (lengths from the
// collator, so a real <|endoftext|> inside a text is not mistaken for
// padding), the `linear` hook, and the position shift under prompt tuning.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClassificationHead, collateClassification, type ForwardHooks, type GPT2Model, lastTokenHidden, loadModel, ValueHead,
} from '@tunekit/core';
import { maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-5;
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

async function take<T>(tensor: tf.Tensor): Promise<T> {
  const value = (await tensor.array()) as T;
  tensor.dispose();
  return value;
}

/** Logits of each text alone (no padding at all): the reference for padded batches. */
async function aloneLogits(head: ClassificationHead, rows: number[][]): Promise<number[][]> {
  const out: number[][] = [];
  for (const ids of rows) {
    const logits = tf.tidy(() => head.apply(lastTokenHidden(model.transformer([ids]).hidden, [ids.length], ids.length)));
    out.push(...(await take<number[][]>(logits)));
  }
  return out;
}

describe('ClassificationHead', () => {
  it('has score.weight [numLabels, C], N(0, 0.02²), reproducible by seed', async () => {
    const a = new ClassificationHead({ numLabels: 3, model, seed: 7 });
    const b = new ClassificationHead({ numLabels: 3, embeddingDim: 64, seed: 7 });
    expect([...a.parameters().keys()]).toEqual(['score.weight']);
    expect(a.weight.shape).toEqual([3, 64]);
    const values = Array.from(await a.weight.data());
    expect(values).toEqual(Array.from(await b.weight.data()));
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(() => new ClassificationHead({ numLabels: 0, model })).toThrow(/numLabels/);
    expect(() => new ClassificationHead({ numLabels: 2 })).toThrow(/model.*embeddingDim/);
    a.dispose();
    b.dispose();
  });

  it('pools the last real token: a padded batch gives each text its unpadded logits', async () => {
    const head = new ClassificationHead({ numLabels: 2, model, seed: 1 });
    const rows = [model.tokenizer.encode('Win a free prize now'), model.tokenizer.encode('ok'), model.tokenizer.encode('See you at the station at six then')];
    const batch = collateClassification(rows.map((inputIds) => ({ inputIds, label: 0 })));
    expect(batch.lengths).toEqual(rows.map((r) => r.length));
    const padded = await take<number[][]>(tf.tidy(() => head.apply(lastTokenHidden(model.transformer(batch.inputIds).hidden, batch.lengths, batch.inputIds[0]!.length))));
    const diff = maxAbsDiff(padded, await aloneLogits(head, rows));
    console.log(`padded vs unpadded classifier logits: max |diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(TOLERANCE);
    head.dispose();
  });

  it('a text ending in a real <|endoftext|> is pooled at that token, not at an earlier one', async () => {
    const head = new ClassificationHead({ numLabels: 2, model, seed: 2 });
    const withEos = [...model.tokenizer.encode('hello there'), 50256];
    const short = model.tokenizer.encode('hi');
    const batch = collateClassification([{ inputIds: withEos, label: 0 }, { inputIds: short, label: 1 }]);
    expect(batch.inputIds[1]).toEqual([...short, 50256, 50256]);
    const pooled = await take<number[][]>(tf.tidy(() => head.apply(lastTokenHidden(model.transformer(batch.inputIds).hidden, batch.lengths, 3))));
    const reference = await aloneLogits(head, [withEos, short]);
    expect(maxAbsDiff(pooled, reference)).toBeLessThan(TOLERANCE);
    // Pooling before the EOS would give different logits.
    const beforeEos = await aloneLogits(head, [withEos.slice(0, -1)]);
    expect(maxAbsDiff(pooled[0]!, beforeEos[0]!)).toBeGreaterThan(1e-4);
    head.dispose();
  });

  it("passes its output through hooks.linear('score', input, output)", async () => {
    const head = new ClassificationHead({ numLabels: 2, model, seed: 3 });
    const seen: string[] = [];
    const hooks: ForwardHooks = {
      linear: (name, input, output) => {
        seen.push(`${name} ${input.shape} ${output.shape}`);
        return tf.add(output, 5) as tf.Tensor2D;
      },
    };
    const pooled = tf.randomNormal([3, 64], 0, 1, 'float32', 4) as tf.Tensor2D;
    const plain = await take<number[][]>(head.apply(pooled));
    const hooked = await take<number[][]>(head.apply(pooled, { hooks }));
    expect(seen).toEqual(['score 3,64 3,2']);
    expect(maxAbsDiff(hooked, plain.map((row) => row.map((v) => v + 5)))).toBeLessThan(1e-5);
    pooled.dispose();
    head.dispose();
  });
});

describe('pooling under prompt tuning', () => {
  it('virtual positions come first, so the last real token of row b is at P + length − 1', async () => {
    const P = 3;
    const prompt = tf.variable(tf.randomNormal([1, P, 64], 0, 0.5, 'float32', 9));
    const hooks: ForwardHooks = { promptEmbeddings: { length: P, get: (batch) => tf.tile(prompt, [batch, 1, 1]) as tf.Tensor3D } };
    const rows = [[464, 3797, 3332], [40, 588]];
    const batch = collateClassification(rows.map((inputIds) => ({ inputIds, label: 0 })));
    const hidden = model.transformer(batch.inputIds, { hooks }).hidden; // [2, P + 3, C]
    expect(hidden.shape[1]).toBe(P + 3);
    const all = await take<number[][][]>(tf.clone(hidden));
    const pooled = await take<number[][]>(lastTokenHidden(hidden, batch.lengths, 3));
    expect(pooled[0]).toEqual(all[0]![P + 2]);
    expect(pooled[1]).toEqual(all[1]![P + 1]);
    hidden.dispose();
    prompt.dispose();
    expect(() => lastTokenHidden(tf.zeros([1, 2, 4]) as tf.Tensor3D, [3], 2)).toThrow(/length 3/);
  });
});

describe('ValueHead', () => {
  it('is TRL-shaped: v_head.summary.weight [1, C] and bias [1] (zero), one value per row', async () => {
    const head = new ValueHead({ model, seed: 5 });
    expect([...head.parameters()].map(([name, v]) => [name, v.shape])).toEqual([['v_head.summary.weight', [1, 64]], ['v_head.summary.bias', [1]]]);
    expect(Array.from(await head.bias.data())).toEqual([0]);
    const pooled = tf.randomNormal([4, 64], 0, 1, 'float32', 6) as tf.Tensor2D;
    const values = await take<number[][]>(head.apply(pooled));
    const manual = await take<number[][]>(tf.matMul(pooled, head.weight, false, true));
    expect(values).toHaveLength(4);
    expect(maxAbsDiff(values, manual)).toBeLessThan(1e-6);
    pooled.dispose();
    head.dispose();
  });

  it('applies dropout only while training, with the context seeds', async () => {
    const head = new ValueHead({ model, seed: 5, dropout: 0.5 });
    const pooled = tf.ones([2, 64]) as tf.Tensor2D;
    const context = (seed: number) => {
      let s = seed;
      return { training: true, nextSeed: () => s++ };
    };
    const evalA = await take<number[][]>(head.apply(pooled));
    const evalB = await take<number[][]>(head.apply(pooled));
    const trainA = await take<number[][]>(head.apply(pooled, { context: context(1) }));
    const trainA2 = await take<number[][]>(head.apply(pooled, { context: context(1) }));
    expect(evalA).toEqual(evalB);
    expect(trainA).toEqual(trainA2);
    expect(maxAbsDiff(trainA, evalA)).toBeGreaterThan(1e-4);
    pooled.dispose();
    head.dispose();
  });
});

describe('memory', () => {
  it('head forward passes leave no tensors behind', async () => {
    const head = new ClassificationHead({ numLabels: 2, model });
    const run = () => tf.dispose(tf.tidy(() => head.apply(lastTokenHidden(model.transformer([[1, 2, 3]]).hidden, [2], 3))));
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    head.dispose();
  });
});
