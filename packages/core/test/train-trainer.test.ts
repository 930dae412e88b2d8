// The trainer on the three tasks with small random models: losses fall,
// held-out accuracy beats the majority baseline, accumulation equals a big
// batch, prompt-tuning positions are handled generically, and bad setups fail
// with clear errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CausalLMExample, ClassificationHead, type ClassificationExample, createModel, DataError, evaluate, type ForwardHooks, type GPT2Model,
  encodePreferenceExamples, gpt2Tokenizer, IGNORE_INDEX, lmCrossEntropy, SeededRandom, train, ValueHead,
} from '@tunekit/core';
import { findSharedDirectory } from '@tunekit/core/testing';
import { readRecordsOrThrow } from '@tunekit/formats';

const small = { embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 64 };
const disposables: { dispose(): void }[] = [];
afterEach(() => disposables.splice(0).forEach((d) => d.dispose()));

async function smallModel(seed = 1, overrides = {}): Promise<GPT2Model> {
  const model = await createModel({ ...small, ...overrides }, { seed });
  disposables.push(model);
  return model;
}

/** Token sequences of random "words"; label 1 when the marker token occurs anywhere. */
function markerData(count: number, seed: number): ClassificationExample[] {
  const random = new SeededRandom(seed);
  const words = gpt2Tokenizer.encode(' apple river stone cloud paper glass music north table garden');
  const marker = gpt2Tokenizer.encode(' FREE')[0] as number;
  return Array.from({ length: count }, (_, i) => {
    const ids = Array.from({ length: 4 + random.nextInt(6) }, () => words[random.nextInt(words.length)] as number);
    const label = i % 3 === 0 ? 1 : 0; // imbalanced: a third positive
    if (label) ids[random.nextInt(ids.length)] = marker;
    return { inputIds: ids, label };
  });
}

describe('causal LM', () => {
  it('loss falls by more than 30% from the first evaluation, leaking no tensors', async () => {
    const model = await smallModel();
    const texts = ['the cat sat on the mat', 'a dog ran in the park', 'the sun is hot today', 'I like green tea a lot'];
    const data: CausalLMExample[] = Array.from({ length: 32 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(texts[i % 4] as string), 50256] }));
    const warm = await smallModel(9);
    await train({ model: warm, task: 'causal-lm', trainData: data, batchSize: 8, maxSteps: 1, evalEvery: 1 }); // first use of each kernel
    const before = tf.memory().numTensors;
    const result = await train({
      model, task: 'causal-lm', trainData: data, valData: data.slice(0, 8), batchSize: 8, maxSteps: 30, evalEvery: 10, seed: 1,
      optimizer: { learningRate: 1e-2 }, schedule: { warmupSteps: 3, decay: 'cosine' }, gradientClip: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.evals.map((e) => e.step)).toEqual([0, 10, 20, 30]);
    const first = result.evals[0]!.val!.loss;
    const last = result.evals.at(-1)!.val!.loss;
    console.log(`causal LM: val loss ${first.toFixed(3)} → ${last.toFixed(3)}, token accuracy ${result.evals.at(-1)!.val!.accuracy.toFixed(3)}`);
    expect(last).toBeLessThan(0.7 * first);
    expect(result.steps).toHaveLength(30);
    expect(result.steps[2]!.learningRate).toBeCloseTo(1e-2, 12); // end of warmup
    expect(result.steps.every((s) => s.gradNorm > 0 && s.tokens > 0)).toBe(true);
  });

  it('prepends ignore labels for positions a hook adds in front (prompt tuning), and trains the hook source', async () => {
    const model = await smallModel(2, { embeddingDropout: 0, attentionDropout: 0, residualDropout: 0 });
    const P = 4;
    const prompt = tf.variable(tf.randomNormal([1, P, 32], 0, 0.02, 'float32', 1));
    disposables.push(prompt);
    model.hooks = { promptEmbeddings: { length: P, get: (batch) => tf.tile(prompt, [batch, 1, 1]) as tf.Tensor3D } } satisfies ForwardHooks;
    for (const variable of model.parameters().values()) variable.trainable = false;
    const source = { parameters: () => new Map([['prompt_embeddings', prompt]]) };
    const ids = [464, 3797, 3332, 319, 262, 2603, 50256];
    const manual = tf.tidy(() => {
      const { hidden } = model.transformer([ids.slice(0, -1)]); // [1, P + 6, C]
      return lmCrossEntropy(hidden, model.params.wte, [...Array<number>(P).fill(IGNORE_INDEX), ...ids.slice(1)]);
    });
    const expected = (await manual.data())[0] as number;
    manual.dispose();
    const start = Array.from(await prompt.data());
    const result = await train({ model, sources: [source], task: 'causal-lm', trainData: [{ inputIds: ids }], batchSize: 1, maxSteps: 1, optimizer: { learningRate: 1e-2 } });
    expect(Math.abs(result.steps[0]!.loss - expected)).toBeLessThan(1e-5);
    expect(Array.from(await prompt.data())).not.toEqual(start);
    // The context check counts the virtual positions.
    const tooLong = { inputIds: Array.from({ length: 62 }, (_, i) => i + 1), source: { file: 'long.json', line: 3, record: 0 } };
    await expect(train({ model, sources: [source], task: 'causal-lm', trainData: [tooLong], batchSize: 1 })).rejects.toThrow('long.json:3 (record 0): trainData: 61 input tokens exceed the model\'s context of 60');
    model.hooks = undefined;
  });
});

describe('classification', () => {
  it('held-out accuracy beats the majority-class baseline', async () => {
    const model = await smallModel(3);
    const head = new ClassificationHead({ numLabels: 2, model, seed: 3 });
    disposables.push(head);
    const trainData = markerData(192, 1);
    const test = markerData(90, 2);
    const baseline = Math.max(...[0, 1].map((c) => test.filter((e) => e.label === c).length)) / test.length;
    const result = await train({ model, head, task: 'classification', trainData, valData: test.slice(0, 30), batchSize: 16, epochs: 5, evalEvery: 12, optimizer: { learningRate: 3e-3, weightDecay: 0.01 }, seed: 2 });
    const { accuracy } = await evaluate({ model, head, task: 'classification', data: test });
    console.log(`classification: held-out accuracy ${accuracy.toFixed(3)} vs majority baseline ${baseline.toFixed(3)}; val loss ${result.evals[0]!.val!.loss.toFixed(3)} → ${result.evals.at(-1)!.val!.loss.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(baseline + 0.1);
    expect(result.evals.at(-1)!.val!.loss).toBeLessThan(0.7 * result.evals[0]!.val!.loss);
  });

  it('gradient accumulation of 2 × 4 equals one batch of 8 (no dropout)', async () => {
    const run = async (batchSize: number, gradientAccumulation: number) => {
      const model = await smallModel(4, { embeddingDropout: 0, attentionDropout: 0, residualDropout: 0 });
      const head = new ClassificationHead({ numLabels: 2, model, seed: 4 });
      disposables.push(head);
      await train({ model, head, task: 'classification', trainData: markerData(16, 5), batchSize, gradientAccumulation, maxSteps: 2, optimizer: { learningRate: 1e-2 }, seed: 9 });
      return [...(await head.weight.data()), ...(await model.params.blocks[0]!.mlp.cFc.weight.data())];
    };
    const big = await run(8, 1);
    const accumulated = await run(4, 2);
    const worst = big.reduce((m, v, i) => Math.max(m, Math.abs(v - (accumulated[i] as number))), 0);
    console.log(`accumulation 2×4 vs batch 8 after 2 updates: max |diff| ${worst.toExponential(2)}`);
    // Padding widths and summation order differ in float32, and Adam's g/√v
    // amplifies that on near-zero gradients: allow 0.1% of one step (lr = 1e-2).
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('reward model', () => {
  it('learns to rank chosen above rejected (pairwise loss falls, pair accuracy rises)', async () => {
    const model = await smallModel(5);
    const head = new ValueHead({ model, seed: 5, dropout: 0 });
    disposables.push(head);
    // Chosen answers end politely, rejected ones rudely; prompts are shared.
    const prompts = ['Summarise the text.', 'Name a colour.', 'Give a number.', 'Say hello.', 'Fix the sentence.', 'List a fruit.'];
    const polite = [' Thank you.', ' Please enjoy.', ' Kind regards.'];
    const rude = [' Whatever, idiot.', ' Go away.', ' Stupid question.'];
    const pairs = prompts.flatMap((p, i) => polite.map((good, j) => ({ chosen: gpt2Tokenizer.encode(p + good), rejected: gpt2Tokenizer.encode(p + (rude[(i + j) % 3] as string)) })));
    const result = await train({ model, head, task: 'reward', trainData: pairs, valData: pairs, batchSize: 6, maxSteps: 30, evalEvery: 15, optimizer: { learningRate: 3e-3 }, seed: 1 });
    const [first, last] = [result.evals[0]!.val!, result.evals.at(-1)!.val!];
    console.log(`reward: pair loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}, accuracy ${first.accuracy.toFixed(2)} → ${last.accuracy.toFixed(2)}`);
    expect(last.loss).toBeLessThan(0.7 * first.loss);
    expect(last.accuracy).toBeGreaterThan(0.9);
  });
});

describe('reward model on instruction-data-with-preference.json', () => {
  it('fits the real pairs: the pairwise loss on them falls and more pairs are ranked right', async () => {
    const model = await smallModel(10);
    const head = new ValueHead({ model, seed: 10, dropout: 0 });
    disposables.push(head);
    const file = join(findSharedDirectory() as string, 'data', 'instruction-data-with-preference.json');
    const records = await readRecordsOrThrow(readFileSync(file, 'utf8'), { kind: 'preference', file });
    const pairs = encodePreferenceExamples(records.slice(0, 32), { maxLength: 64, truncate: true });
    const result = await train({ model, head, task: 'reward', trainData: pairs, valData: pairs, batchSize: 8, maxSteps: 40, evalEvery: 20, optimizer: { learningRate: 3e-3 }, seed: 3 });
    const [first, last] = [result.evals[0]!.val!, result.evals.at(-1)!.val!];
    console.log(`reward on real pairs: loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}, accuracy ${first.accuracy.toFixed(2)} → ${last.accuracy.toFixed(2)}`);
    expect(last.loss).toBeLessThan(0.7 * first.loss);
    expect(last.accuracy).toBeGreaterThan(first.accuracy);
  });
});

describe('stopping', () => {
  it('early stopping ends the run after `patience` evaluations without improvement', async () => {
    const model = await smallModel(6);
    const data = markerData(16, 7).map((e) => ({ inputIds: [...e.inputIds, 50256] }));
    const result = await train({ model, task: 'causal-lm', trainData: data, valData: data, batchSize: 4, maxSteps: 50, evalEvery: 1, optimizer: { learningRate: 1e-9 }, earlyStopping: { patience: 2, minDelta: 0.5 } });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.step).toBe(2); // evaluations at 0 (best), 1 and 2 without a 0.5 improvement
  });

  it('an AbortSignal stops after the current update', async () => {
    const model = await smallModel(7);
    const controller = new AbortController();
    const data = markerData(16, 8).map((e) => ({ inputIds: e.inputIds }));
    const result = await train({ model, task: 'causal-lm', trainData: data, batchSize: 4, maxSteps: 10, signal: controller.signal, onStep: (e) => (e.step === 3 ? controller.abort() : undefined) });
    expect([result.stopReason, result.step]).toEqual(['aborted', 3]);
  });
});

describe('bad setups', () => {
  it('fails clearly on empty or too-small data and inconsistent options', async () => {
    const model = await smallModel(8);
    const one = [{ inputIds: [1, 2, 3] }];
    await expect(train({ model, task: 'causal-lm', trainData: [], batchSize: 1 })).rejects.toThrow(DataError);
    await expect(train({ model, task: 'causal-lm', trainData: one, valData: [], batchSize: 1 })).rejects.toThrow('valData is empty');
    await expect(train({ model, task: 'causal-lm', trainData: one, batchSize: 2 })).rejects.toThrow(/1 examples: fewer than one update of batchSize 2/);
    await expect(train({ model, task: 'causal-lm', trainData: one, batchSize: 1, earlyStopping: { patience: 1 } })).rejects.toThrow(/earlyStopping needs valData and evalEvery/);
    await expect(train({ model, task: 'classification', trainData: [{ inputIds: [1], label: 0 }], batchSize: 1 } as never)).rejects.toThrow(/needs a ClassificationHead/);
    await expect(train({ model, task: 'causal-lm', trainData: one, batchSize: 1, schedule: { warmupSteps: 5 } })).rejects.toThrow(/schedule.warmupSteps must be at most the run's 1 steps, got 5/);
  });
});
