// DPO through train() and evaluate() on small random models: the held-out
// reward accuracy and margin rise, TRL's metrics are logged per update and per
// evaluation, no tensor leaks, the reference is the adapters-off model or the
// policy before its first update; and bad pairs and options fail (or are
// counted as skipped) with the record named, before any work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyAdapter, createLoRA, createModel, DataError, DPO_METRICS, DPOOptionError, encodeDPOPairs, evaluate, type GPT2Model, gpt2Tokenizer, IGNORE_INDEX,
  lossCurveSVG, precomputeReferenceLogProbs, type PreferenceExample, type StepEvent, train,
} from '@tunekit/core';
import { findSharedDirectory } from '@tunekit/core/testing';
import { readRecordsOrThrow } from '@tunekit/formats';

const small = { embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 64 };
const disposables: { dispose(): void }[] = [];
afterEach(() => disposables.splice(0).forEach((d) => d.dispose()));

async function smallModel(seed: number): Promise<GPT2Model> {
  const model = await createModel(small, { seed });
  disposables.push(model);
  return model;
}

/** A pair whose prompt tokens are masked: the answer (and its EOS) is what DPO scores. */
function pair(prompt: string, chosen: string, rejected: string, record: number): PreferenceExample {
  const p = gpt2Tokenizer.encode(prompt);
  const side = (answer: string) => {
    const a = [...gpt2Tokenizer.encode(answer), 50256];
    return { ids: [...p, ...a], labels: [...p.map(() => IGNORE_INDEX), ...a] };
  };
  const [c, r] = [side(chosen), side(rejected)];
  return { chosen: c.ids, chosenLabels: c.labels, rejected: r.ids, rejectedLabels: r.labels, source: { file: '<polite>', record } };
}

// Chosen answers are polite, rejected ones rude; held-out pairs use unseen prompts.
const polite = [' Thank you.', ' Please enjoy.', ' Kind regards.'];
const rude = [' Whatever, idiot.', ' Go away.', ' Stupid question.'];
const makePairs = (prompts: string[], offset: number) => prompts.flatMap((p, i) => polite.map((good, j) => pair(p, good, rude[(i + j) % 3] as string, offset + 3 * i + j)));
const trainPairs = makePairs(['Summarise the text.', 'Name a colour.', 'Give a number.', 'Say hello.'], 0);
const heldOut = makePairs(['Fix the sentence.', 'List a fruit.'], 100);

describe('DPO training', () => {
  it('raises the held-out reward accuracy and margin (no adapter: the reference is the policy before its first update), leaking no tensors', async () => {
    const model = await smallModel(21);
    const before = tf.memory().numTensors;
    const steps: StepEvent[] = [];
    const result = await train({
      model, task: 'dpo', dpo: { beta: 0.1 }, trainData: trainPairs, valData: heldOut, batchSize: 4, maxSteps: 12, evalEvery: 6,
      optimizer: { learningRate: 3e-3 }, seed: 2, onStep: (e) => void steps.push(e),
    });
    expect(tf.memory().numTensors).toBe(before);
    const [first, last] = [result.evals[0]!.val!, result.evals.at(-1)!.val!];
    // Before any update the policy is its reference: every reward is 0 and the loss is log 2.
    expect(first.metrics!['rewards/chosen']).toBe(0);
    expect(first.metrics!['rewards/margin']).toBe(0);
    expect(Math.abs(first.loss - Math.LN2)).toBeLessThan(1e-6);
    console.log(`DPO held-out: loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}, reward accuracy ${first.accuracy.toFixed(2)} → ${last.accuracy.toFixed(2)}, margin ${first.metrics!['rewards/margin']!.toFixed(3)} → ${last.metrics!['rewards/margin']!.toFixed(3)}`);
    expect(last.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(last.metrics!['rewards/margin']).toBeGreaterThan(0.1);
    expect(last.loss).toBeLessThan(first.loss - 0.05);
    // TRL's four metrics, per update and per evaluation; accuracy is the eval accuracy.
    expect(Object.keys(steps[0]!.metrics!).sort()).toEqual([...DPO_METRICS].sort());
    expect(Object.keys(last.metrics!).sort()).toEqual([...DPO_METRICS].sort());
    expect(last.metrics!['rewards/accuracy']).toBe(last.accuracy);
    expect(last.metrics!['rewards/margin']).toBeCloseTo(last.metrics!['rewards/chosen']! - last.metrics!['rewards/rejected']!, 6);
    // The loss plot draws them.
    const svg = lossCurveSVG(result.evals, { steps: result.steps });
    for (const name of DPO_METRICS) expect(svg).toContain(`${name} (validation)`);
  });

  it('with LoRA the reference is the model with its adapter off, also after training', async () => {
    const model = await smallModel(22);
    const peft = applyAdapter({ model, adapter: createLoRA({ model, rank: 4, alpha: 8, targetModules: ['c_attn', 'c_proj', 'c_fc'], seed: 3 }) });
    const before = tf.memory().numTensors;
    const result = await train({ model, sources: [peft], task: 'dpo', dpo: { reduction: 'mean', beta: 0.5 }, trainData: trainPairs, batchSize: 4, maxSteps: 12, optimizer: { learningRate: 1e-2 }, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.steps.at(-1)!.metrics!['rewards/margin']).toBeGreaterThan(result.steps[0]!.metrics!['rewards/margin']!);
    // evaluate() after training needs no precomputed values: the adapters-off pass is still the reference.
    const after = await evaluate({ model, task: 'dpo', dpo: { reduction: 'mean', beta: 0.5 }, data: heldOut });
    console.log(`DPO + LoRA held-out: reward accuracy ${after.accuracy.toFixed(2)}, margin ${after.metrics!['rewards/margin']!.toFixed(3)}`);
    expect(after.metrics!['rewards/margin']).not.toBe(0);
    // The reference values are exactly those of the model with its adapter disabled.
    const viaHooksOff = await precomputeReferenceLogProbs({ model, data: heldOut, reduction: 'mean' });
    peft.disable();
    const disabled = await precomputeReferenceLogProbs({ model, data: heldOut, reduction: 'mean' });
    peft.enable();
    expect(viaHooksOff.map((e) => e.reference)).toEqual(disabled.map((e) => e.reference));
    peft.unload();
  });

  it('evaluate() refuses to use a trained adapter-less policy as its own reference, and accepts precomputed values', async () => {
    const model = await smallModel(23);
    await expect(evaluate({ model, task: 'dpo', data: heldOut })).rejects.toThrow(/<polite> \(record 100\) field "reference".*precomputeReferenceLogProbs/);
    const prepared = await precomputeReferenceLogProbs({ model, data: heldOut });
    const metrics = await evaluate({ model, task: 'dpo', data: prepared });
    expect(metrics.metrics!['rewards/margin']).toBe(0);
    expect(metrics.count).toBe(heldOut.length);
    // A different reduction than the one precomputed is refused, not silently mixed.
    await expect(evaluate({ model, task: 'dpo', dpo: { reduction: 'mean' }, data: prepared })).rejects.toThrow(/made with reduction 'sum', not 'mean'/);
  });
});

describe('bad options and pairs', () => {
  it('rejects out-of-range options before any work, with a code and a fix', async () => {
    const model = await smallModel(24);
    const cases: [object, RegExp][] = [
      [{ beta: 0 }, /dpo\.beta is 0/],
      [{ lossType: 'kto' }, /dpo\.lossType is "kto"/],
      [{ labelSmoothing: 0.5 }, /labelSmoothing is 0\.5/],
      [{ lossType: 'hinge', labelSmoothing: 0.1 }, /only defined for lossType 'sigmoid'/],
      [{ reduction: 'max' }, /dpo\.reduction is "max"/],
    ];
    for (const [dpo, message] of cases) {
      const run = train({ model, task: 'dpo', dpo, trainData: trainPairs, maxSteps: 1 });
      await expect(run).rejects.toThrow(message);
      await expect(run).rejects.toBeInstanceOf(DPOOptionError);
      await expect(run).rejects.toMatchObject({ code: 'dpo_option' });
    }
  });

  it('rejects pairs without answer masks, naming the record', async () => {
    const model = await smallModel(25);
    const bare = trainPairs.map(({ chosen, rejected, source }) => ({ chosen, rejected, source }));
    const run = train({ model, task: 'dpo', trainData: bare, maxSteps: 1 });
    await expect(run).rejects.toThrow(/<polite> \(record 0\) field "chosenLabels".*encodeDPOPairs/);
    await expect(run).rejects.toBeInstanceOf(DataError);
  });

  it('encodeDPOPairs: errors for missing fields and empty answers, counted skips for identical pairs and prompts that fill maxLength', async () => {
    const file = join(findSharedDirectory() as string, 'data', 'instruction-data-with-preference.json');
    const records = await readRecordsOrThrow(readFileSync(file, 'utf8'), { kind: 'preference', file: 'instruction-data-with-preference.json' });
    const { examples, skipped } = encodeDPOPairs(records);
    // The chapter's data has six pairs whose answers are identical: DPO learns nothing from them (loss log 2, zero gradient).
    expect(skipped.map((s) => [s.source.record, s.reason])).toEqual([122, 226, 400, 566, 628, 676].map((r) => [r, 'identical']));
    expect(examples).toHaveLength(1100 - 6);
    // The masks cover the answer and its EOS only; the prompt is shared.
    const [first] = examples;
    const answer = first!.chosenLabels!.filter((l) => l !== IGNORE_INDEX);
    expect(gpt2Tokenizer.decode(answer)).toBe(`${records[0]!.record.chosen as string}<|endoftext|>`);
    const promptLength = first!.chosenLabels!.indexOf(answer[0]!);
    expect(first!.rejectedLabels!.slice(0, promptLength).every((l) => l === IGNORE_INDEX)).toBe(true);

    const base = { instruction: 'Say hi.', input: '', output: 'Hi.' };
    expect(() => encodeDPOPairs([{ ...base, chosen: 'Hi.' } as never], { file: 'prefs.json' })).toThrow(/prefs\.json \(record 0\) field "rejected": is missing/);
    expect(() => encodeDPOPairs([{ ...base, chosen: 'Hi.', rejected: '  ' }], { file: 'prefs.json' })).toThrow(/prefs\.json \(record 0\) field "rejected": is empty/);
    expect(() => encodeDPOPairs([{ ...base, chosen: 'Hi there, friend.', rejected: 'No.' }], { maxLength: 20 })).toThrow(/record 0\) field "chosen": is \d+ tokens, longer than maxLength 20/);
    // With truncate, answers lose their tail; a pair whose prompt alone fills maxLength is skipped and counted.
    const long = { ...base, instruction: 'word '.repeat(40) };
    const cut = encodeDPOPairs([{ ...base, chosen: 'Hi there, friend, how are you today?', rejected: 'No.' }, { ...long, chosen: 'A', rejected: 'B' }], { maxLength: 40, truncate: true });
    expect(cut.examples).toHaveLength(1);
    expect(cut.examples[0]!.chosen).toHaveLength(40);
    expect(cut.skipped).toEqual([{ source: { file: '<records>', record: 1 }, reason: 'no-answer-after-truncation' }]);
  });
});
