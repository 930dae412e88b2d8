// Prompt tuning against an independent equivalent: a soft prompt initialised
// from the text s (PEFT's TEXT init copies s's token embeddings) makes the
// model read t exactly as the base model reads s ++ t, at every one of the
// P + T output positions; labels with P leading -100s give the loss of t's
// tokens in that sequence. Also the three initialisations and generation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAdapter, createPromptTuning, type GPT2Model, generate, IGNORE_INDEX, lmCrossEntropy, loadModel, prependIgnoreLabels, virtualTokenCount,
} from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-5;
const golden = loadGolden();
const instruction = goldenSequence(golden, { name: 'instruction' });
const t = goldenSequence(golden, { name: 'hello' }).ids;
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

async function rows(logits: tf.Tensor3D): Promise<number[][][]> {
  const values = (await logits.array()) as number[][][];
  logits.dispose();
  return values;
}

async function wteRows(ids: number[]): Promise<number[][]> {
  const gathered = tf.tidy(() => model.params.wte.gather(tf.tensor1d(ids, 'int32')));
  const values = (await gathered.array()) as number[][];
  gathered.dispose();
  return values;
}

async function promptValues(adapter: { parameters(): Map<string, tf.Variable> }): Promise<number[][]> {
  return (await (adapter.parameters().get('prompt_embeddings') as tf.Variable).array()) as number[][];
}

describe('prompt tuning', () => {
  it("TEXT init copies the text's token embeddings, repeated or cut to P", async () => {
    const text = 'Below is an instruction'; // 4 tokens
    const ids = model.tokenizer.encode(text);
    expect(ids).toEqual(instruction.ids.slice(0, 4));
    const long = createPromptTuning({ model, numVirtualTokens: 10, init: 'TEXT', initText: text });
    expect(await promptValues(long)).toEqual(await wteRows([...ids, ...ids, ...ids.slice(0, 2)]));
    const short = createPromptTuning({ model, numVirtualTokens: 3, init: 'TEXT', initText: text });
    expect(await promptValues(short)).toEqual(await wteRows(ids.slice(0, 3)));
    long.dispose();
    short.dispose();
    expect(() => createPromptTuning({ model, init: 'TEXT' })).toThrow(/needs a non-empty initText/);
  });

  it('a TEXT prompt makes the model read t as the base model reads s ++ t, at all P + T positions', async () => {
    const s = instruction.ids;
    const peft = applyAdapter({ model, adapter: createPromptTuning({ model, numVirtualTokens: s.length, init: 'TEXT', initText: instruction.text as string }) });
    expect(virtualTokenCount(model)).toBe(s.length);
    const prompted = (await rows(model.forward([t]).logits))[0] as number[][];
    expect(prompted).toHaveLength(s.length + t.length); // virtual positions come first
    const reference = (await rows(model.forward([[...s, ...t]], { hooks: null }).logits))[0] as number[][];
    const diff = maxAbsDiff(prompted, reference);
    console.log(`TEXT prompt vs base on s ++ t: max |logit diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(TOLERANCE);

    // Labels: P leading ignore labels; the loss is t's next-token loss within s ++ t.
    const labels = prependIgnoreLabels([[...t.slice(1), IGNORE_INDEX]], { count: virtualTokenCount(model) });
    expect(labels[0]?.slice(0, s.length)).toEqual(new Array(s.length).fill(IGNORE_INDEX));
    const loss = tf.tidy(() => lmCrossEntropy(model.transformer([t]).hidden, model.params.wte, labels.flat()));
    const referenceLabels = [...new Array(s.length).fill(IGNORE_INDEX), ...t.slice(1), IGNORE_INDEX];
    const referenceLoss = tf.tidy(() => lmCrossEntropy(model.transformer([[...s, ...t]], { hooks: null }).hidden, model.params.wte, referenceLabels));
    expect(Math.abs((await loss.data())[0]! - (await referenceLoss.data())[0]!)).toBeLessThan(TOLERANCE);
    tf.dispose([loss, referenceLoss]);
    peft.unload();
  });

  it('generation gives the same tokens with and without the KV cache, equal to the base model continuing s ++ t', async () => {
    const s = instruction.ids;
    const peft = applyAdapter({ model, adapter: createPromptTuning({ model, numVirtualTokens: s.length, init: 'TEXT', initText: instruction.text as string }) });
    const options = { maxNewTokens: 10, eosTokenId: null };
    const cached = await generate({ model, prompt: t, ...options, useCache: true });
    expect(cached.tokens).toEqual((await generate({ model, prompt: t, ...options, useCache: false })).tokens);
    expect(cached.tokens).toEqual((await generate({ model, prompt: [...s, ...t], ...options, hooks: null })).tokens);
    const sampled = { maxNewTokens: 10, eosTokenId: null, temperature: 1, topP: 0.9, seed: 11 };
    expect((await generate({ model, prompt: t, ...sampled, useCache: true })).tokens).toEqual((await generate({ model, prompt: t, ...sampled, useCache: false })).tokens);
    peft.unload();
  });

  it('SAMPLE_VOCAB rows are token embeddings; RANDOM is N(0, 1); both are reproducible for a seed', async () => {
    const sampled = createPromptTuning({ model, numVirtualTokens: 4, init: 'SAMPLE_VOCAB', seed: 3 });
    const values = tf.tensor2d(await promptValues(sampled));
    // Nearest vocabulary row of each prompt row, by distance: must be at distance 0.
    const distances = tf.tidy(() => {
      const table = model.params.wte.chunks[0] as tf.Variable; // [V, C]
      const squared = tf.sub(tf.add(tf.sum(tf.square(values), 1, true), tf.transpose(tf.sum(tf.square(table), 1, true))), tf.mul(2, tf.matMul(values, table, false, true)));
      return tf.min(squared, 1);
    });
    expect(Math.max(...Array.from(await distances.data()))).toBeLessThan(1e-6);
    tf.dispose([values, distances]);
    sampled.dispose();

    const random = createPromptTuning({ model, numVirtualTokens: 20, seed: 4 });
    const flat = (await promptValues(random)).flat();
    const mean = flat.reduce((a, b) => a + b, 0) / flat.length;
    const std = Math.sqrt(flat.reduce((a, b) => a + (b - mean) ** 2, 0) / flat.length);
    expect(Math.abs(mean)).toBeLessThan(0.15); // 1280 samples: standard error ≈ 0.03
    expect(Math.abs(std - 1)).toBeLessThan(0.1);
    const same = createPromptTuning({ model, numVirtualTokens: 20, seed: 4 });
    const other = createPromptTuning({ model, numVirtualTokens: 20, seed: 5 });
    expect(await promptValues(same)).toEqual(await promptValues(random));
    expect(await promptValues(other)).not.toEqual(await promptValues(random));
    [random, same, other].forEach((a) => a.dispose());
  });

  it('labels helper and option errors', () => {
    expect(prependIgnoreLabels([[1, 2], [3, 4]], { count: 2 })).toEqual([[-100, -100, 1, 2], [-100, -100, 3, 4]]);
    expect(virtualTokenCount(undefined)).toBe(0);
    expect(() => prependIgnoreLabels([[1]], { count: -1 })).toThrow(/non-negative integer/);
    expect(() => createPromptTuning({ model, numVirtualTokens: 2.5 })).toThrow(/positive integer/);
    expect(() => createPromptTuning({ model, init: 'VOCAB' as 'RANDOM' })).toThrow(/init must be/);
  });
});
