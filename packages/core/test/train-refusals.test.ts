// Bad settings and bad data are refused before step 1, with a typed error
// naming the option or the record; a failed run leaves no tensor behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CausalLMExample, ClassificationHead, createModel, DataError, type GPT2Model, InvalidSettingError, train, type TrainOptions,
} from '@tunekit/core';

let model: GPT2Model;
let head: ClassificationHead;
beforeAll(async () => {
  model = await createModel({ embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 64 }, { seed: 5 });
  head = new ClassificationHead({ model, numLabels: 2, seed: 1 });
});
afterAll(() => {
  head.dispose();
  model.dispose();
});

const data: CausalLMExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: [10 + i, 20, 30, 40, 50256] }));

/** Runs train() with `extra`, recording whether any step or start event happened. */
async function attempt(extra: Partial<TrainOptions>): Promise<{ error: unknown; started: boolean }> {
  let started = false;
  const error = await train({
    model, task: 'causal-lm', trainData: data, batchSize: 2, maxSteps: 2, onStep: () => { started = true; }, callbacks: [{ onStart: () => { started = true; } }], ...extra,
  } as TrainOptions).then(() => undefined, (e: unknown) => e);
  return { error, started };
}

describe('settings refused before step 1', () => {
  const cases: [string, Partial<TrainOptions>][] = [
    ['gradientClip', { gradientClip: -1 }],
    ['gradientClip', { gradientClip: 0 }],
    ['gradientClip', { gradientClip: Number.NaN }],
    ['epochs', { maxSteps: undefined, epochs: 0 }],
    ['epochs', { maxSteps: undefined, epochs: -1 }],
    ['epochs', { maxSteps: undefined, epochs: Number.NaN }],
    ['epochs', { maxSteps: undefined, epochs: Infinity }],
    ['evalBatches', { evalBatches: 0, evalEvery: 1 }],
    ['evalEvery', { evalEvery: 0 }],
    ['maxSteps', { maxSteps: 1.5 }],
    ['batchSize', { batchSize: 0 }],
    ['gradientAccumulation', { gradientAccumulation: Number.NaN }],
    ['optimizer.learningRate', { optimizer: { learningRate: Number.NaN } }],
    ['optimizer.learningRate', { optimizer: { learningRate: Infinity } }],
    ['optimizer.weightDecay', { optimizer: { weightDecay: -0.1 } }],
    ['optimizer.eps', { optimizer: { eps: 0 } }],
    ['optimizer.betas[1]', { optimizer: { betas: [0.9, 1] } }],
    ['schedule.warmupSteps', { schedule: { warmupSteps: -1 } }],
    ['schedule.warmupSteps', { schedule: { warmupSteps: 3 } }],
    ['schedule.minLearningRate', { schedule: { minLearningRate: 1 } }],
    ['schedule.decay', { schedule: { decay: 'exponential' as never } }],
    ['earlyStopping.patience', { earlyStopping: { patience: 0 } }],
    ['checkpoint.every', { checkpoint: { directory: '/nonexistent/never-written', every: 0 } }],
    ['checkpoint.keep', { checkpoint: { directory: '/nonexistent/never-written', keep: -2 } }],
    ['seed', { seed: 0.5 }],
    ['gradientCheckpointing', { gradientCheckpointing: 'yes' as never }],
    ['gradientCheckpointing', { gradientCheckpointing: 1 as never }],
  ];
  it.each(cases)('%s: %o', async (option, extra) => {
    const { error, started } = await attempt(extra);
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect(error).toMatchObject({ code: 'invalid_setting', option });
    expect((error as Error).message).toContain(`${option} must be`);
    expect(started).toBe(false);
  });

  it('gradientClip 0 says how to train unclipped', async () => {
    const { error } = await attempt({ gradientClip: 0 });
    expect((error as Error).message).toMatch(/Leave gradientClip out to train without clipping/);
  });

  it('valid edge values still train: fractional epochs, gradientClip 1e-3, evalBatches 1', async () => {
    const { error, started } = await attempt({ maxSteps: undefined, epochs: 0.5, gradientClip: 1e-3, evalEvery: 1, evalBatches: 1 });
    expect(error).toBeUndefined();
    expect(started).toBe(true);
  });
});

describe('bad data refused before step 1, naming the record', () => {
  it('a classification label outside the head is named by record and field before any step', async () => {
    const trainData = Array.from({ length: 12 }, (_, i) => ({ inputIds: [1, 2, 3], label: i === 9 ? 2 : i % 2, source: { file: 'sms.tsv', line: i + 2, record: i } }));
    const { error, started } = await attempt({ task: 'classification', head, trainData } as Partial<TrainOptions>);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/^sms\.tsv:11 \(record 9\) field "label": is 2, not a class index in \[0, 2\)/);
    expect(started).toBe(false);
  });

  it('a token id outside the vocabulary is named by record and field', async () => {
    const trainData = data.map((e, i) => (i === 5 ? { inputIds: [1, 2, 60000, 4] } : e));
    const { error, started } = await attempt({ trainData });
    expect((error as Error).message).toMatch(/^<trainData> \(record 5\) field "inputIds": position 2 holds 60000, not a token id in \[0, 50257\)/);
    expect(started).toBe(false);
  });
});

describe('prompt masking after truncation', () => {
  // The response starts at token 3; collate.maxLength 2 keeps targets 1..2, all prompt.
  const cut = (i: number): CausalLMExample => ({ inputIds: [10 + i, 20, 30, 40, 50256], labels: [-100, -100, -100, 40, 50256], source: { file: 'sft.json', line: i + 1, record: i } });
  const kept = (i: number): CausalLMExample => ({ inputIds: [10 + i, 20, 30, 40, 50256], labels: [-100, 20, 30, 40, 50256] });

  it('counts and reports the examples that train on nothing', async () => {
    const warnings: string[] = [];
    const trainData = Array.from({ length: 8 }, (_, i) => (i % 4 === 1 ? cut(i) : kept(i)));
    const { error, started } = await attempt({ trainData, collate: { maskPrompt: true, maxLength: 2 }, onWarning: (m) => warnings.push(m) } as Partial<TrainOptions>);
    expect(error).toBeUndefined();
    expect(started).toBe(true);
    expect(warnings).toEqual([
      'trainData: 2 of 8 examples have no response token left with maskPrompt (truncation cut it) and train on nothing: sft.json:2 (record 1); sft.json:6 (record 5)',
    ]);
  });

  it('refuses before step 1 when no example has a response token left', async () => {
    const { error, started } = await attempt({ trainData: Array.from({ length: 8 }, (_, i) => cut(i)), collate: { maskPrompt: true, maxLength: 2 } } as Partial<TrainOptions>);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/none of its 8 examples has a response token left to train on with maskPrompt \(first: sft\.json:1 \(record 0\)\)/);
    expect(started).toBe(false);
  });
});

describe('failed runs leak no tensors', () => {
  it('after a bad target id, a bad label, and a loss that throws inside the gradient at step 2', async () => {
    const before = tf.memory().numTensors;
    await attempt({ trainData: data.map((e, i) => (i === 3 ? { inputIds: [1, 2, 3, 99999] } : e)) });
    await attempt({ task: 'classification', head, trainData: data.map((e, i) => ({ inputIds: e.inputIds, label: i === 7 ? 5 : 0 })) } as Partial<TrainOptions>);
    expect(tf.memory().numTensors).toBe(before);
    // A failure the checks cannot foresee: the forward pass throws mid-graph in the second forward pass (second update; second micro-batch with accumulation).
    let calls = 0;
    model.hooks = {
      linear: (_name, _input, output) => {
        if (++calls === 12) throw new Error('simulated failure in the forward pass');
        return output;
      },
    };
    try {
      for (const gradientAccumulation of [1, 2]) {
        calls = 0;
        const { error } = await attempt({ gradientAccumulation, batchSize: 1 });
        expect((error as Error).message).toBe('simulated failure in the forward pass');
        expect(tf.memory().numTensors).toBe(before);
      }
    } finally {
      model.hooks = undefined;
    }
  });
});
