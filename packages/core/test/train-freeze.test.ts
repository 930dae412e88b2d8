// Freezing: name patterns select what trains, and a training step changes
// exactly the trainable variables.
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassificationHead, createModel, freeze, type GPT2Model, lastBlockPatterns, train, unfreezeLastBlocks } from '@tunekit/core';

let model: GPT2Model;
beforeAll(async () => {
  model = await createModel({ embeddingDim: 32, numLayers: 3, numHeads: 2, contextLength: 32 }, { seed: 1 });
});
afterAll(() => model.dispose());

const trainableNames = (source: { parameters(): Map<string, tf.Variable> }) => [...source.parameters()].filter(([, v]) => v.trainable).map(([n]) => n);

describe('freeze', () => {
  it("'all', 'none' and prefixes; counts like PEFT's report", () => {
    const all = freeze(model, { trainable: 'all' });
    expect(all.trainable).toBe(all.total);
    expect(freeze(model, { trainable: 'none' }).trainable).toBe(0);
    const counts = freeze(model, { trainable: ['h.2.', /^ln_f\./] });
    expect(trainableNames(model).every((n) => n.startsWith('h.2.') || n.startsWith('ln_f.'))).toBe(true);
    expect(trainableNames(model)).toHaveLength(12 + 2);
    expect(counts.trainable).toBe(trainableNames(model).reduce((n, name) => n + (model.parameters().get(name) as tf.Variable).size, 0));
    expect(counts.percent).toBeCloseTo((100 * counts.trainable) / counts.total, 10);
  });

  it('rejects a pattern that matches nothing (a typo would freeze everything)', () => {
    expect(() => freeze(model, { trainable: ['h.12.'] })).toThrow(/pattern h\.12\. matches no parameter/);
  });

  it('unfreezeLastBlocks keeps the last N blocks and ln_f trainable (chapter 6 with N = 1)', () => {
    expect(lastBlockPatterns({ model, count: 2 })).toEqual(['h.1.', 'h.2.', 'ln_f.']);
    unfreezeLastBlocks({ model, count: 1 });
    expect(new Set(trainableNames(model).map((n) => n.split('.').slice(0, 2).join('.')))).toEqual(new Set(['h.2', 'ln_f.weight', 'ln_f.bias']));
    expect(() => unfreezeLastBlocks({ model, count: 4 })).toThrow(/count must be an integer in \[0, 3\]/);
  });
});

describe('training with frozen parameters', () => {
  it('changes exactly the trainable variables (last block, ln_f, head) and leaves the rest bit-identical', async () => {
    const head = new ClassificationHead({ numLabels: 2, model, seed: 3 });
    unfreezeLastBlocks({ model, count: 1 });
    const snapshot = async () => new Map(await Promise.all([...model.parameters(), ...head.parameters()].map(async ([n, v]) => [n, Array.from(await v.data())] as const)));
    const before = await snapshot();
    const trainData = Array.from({ length: 8 }, (_, i) => ({ inputIds: [1 + i, 2 + i, 3 + i], label: i % 2 }));
    await train({ model, head, task: 'classification', trainData, batchSize: 4, maxSteps: 2, optimizer: { learningRate: 1e-2 } });
    const after = await snapshot();
    const changed = [...before.keys()].filter((name) => before.get(name)!.some((v, i) => v !== after.get(name)![i]));
    const trainable = new Set([...trainableNames(model), ...trainableNames(head)]);
    expect(new Set(changed)).toEqual(trainable);
    expect(trainable.has('score.weight') && trainable.has('h.2.mlp.c_fc.weight') && !trainable.has('wte.weight')).toBe(true);
    head.dispose();
    freeze(model, { trainable: 'all' });
  });

  it('refuses to run with nothing trainable', async () => {
    freeze(model, { trainable: 'none' });
    await expect(train({ model, task: 'causal-lm', trainData: [{ inputIds: [1, 2, 3] }], batchSize: 1 })).rejects.toThrow(/Nothing to train/);
    freeze(model, { trainable: 'all' });
  });
});
