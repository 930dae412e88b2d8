// Generation: sampling controls, streaming, stop conditions, context
// overflow, and memory; greedy parity with the reference is in golden-forward.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type GPT2Model, type GenerationChunk, generate, generateStream, loadModel } from '@tunekit/core';
import { goldenSequence, loadGolden, tinyGPT2Directory } from '@tunekit/core/testing';

const golden = loadGolden();
const hello = goldenSequence(golden, { name: 'hello' });
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

describe('generate', () => {
  it('sampling is reproducible for a seed, differs across seeds, and topK=1 is greedy', async () => {
    const options = { maxNewTokens: 12, temperature: 1.5, eosTokenId: null };
    const a = await generate({ model, prompt: hello.ids, ...options, seed: 1 });
    const b = await generate({ model, prompt: hello.ids, ...options, seed: 1 });
    const c = await generate({ model, prompt: hello.ids, ...options, seed: 2 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).not.toEqual(c.tokens);
    const topK1 = await generate({ model, prompt: hello.ids, maxNewTokens: 10, topK: 1, temperature: 0.7, eosTokenId: null, seed: 5 });
    expect(topK1.tokens).toEqual(hello.greedy_10);
  });

  it('sampled tokens are the same with and without the KV cache', async () => {
    const options = { maxNewTokens: 10, temperature: 1, topP: 0.9, seed: 3, eosTokenId: null };
    const cached = await generate({ model, prompt: hello.ids, ...options, useCache: true });
    const uncached = await generate({ model, prompt: hello.ids, ...options, useCache: false });
    expect(cached.tokens).toEqual(uncached.tokens);
  });

  it('streams chunks whose text concatenates to the result text', async () => {
    const chunks: GenerationChunk[] = [];
    const stream = generateStream({ model, prompt: 'Hello, my dog', maxNewTokens: 8, temperature: 1, seed: 9, eosTokenId: null, onToken: (c) => chunks.push(c) });
    const streamed: GenerationChunk[] = [];
    let step = await stream.next();
    while (!step.done) {
      streamed.push(step.value);
      step = await stream.next();
    }
    expect(streamed).toEqual(chunks);
    expect(streamed.map((c) => c.text).join('')).toBe(step.value.text);
    expect(streamed.map((c) => c.token)).toEqual(step.value.tokens);
  });

  it('stops at a stop string (excluded from the text) and at the EOS token', async () => {
    const free = await generate({ model, prompt: hello.ids, maxNewTokens: 10, eosTokenId: null });
    const text = free.text;
    const stop = text.slice(3, 6);
    const stopped = await generate({ model, prompt: hello.ids, maxNewTokens: 10, eosTokenId: null, stop: [stop] });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(text.slice(0, text.indexOf(stop)));
    // Make the first greedy token the EOS token: generation ends at once.
    const eos = await generate({ model, prompt: hello.ids, maxNewTokens: 10, eosTokenId: hello.greedy_10?.[0] as number });
    expect(eos).toMatchObject({ finishReason: 'eos', tokens: [], text: '' });
  });

  it('truncates the left context instead of failing when the window fills', async () => {
    const long = Array.from({ length: 200 }, (_, i) => (i * 7919) % 50000);
    for (const useCache of [true, false]) {
      const result = await generate({ model, prompt: long, maxNewTokens: 100, eosTokenId: null, useCache });
      expect(result.tokens).toHaveLength(100);
      expect(result.promptTokens.length).toBeLessThan(128);
      expect(result.promptTokens).toEqual(long.slice(long.length - result.promptTokens.length));
    }
  });

  it('past the context length, tokens with and without the KV cache stay equal (one sliding rule)', async () => {
    // A 16-token context, so 40 new tokens cross the window twice in a short test.
    const short = await createModel({ embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 16, vocabSize: 1000 }, { seed: 9 });
    try {
      const prompt = Array.from({ length: 10 }, (_, i) => (i * 7919) % 1000);
      for (const options of [{ topK: 1 }, { temperature: 1, topP: 0.9, seed: 7 }]) {
        const settings = { ...options, maxNewTokens: 40, eosTokenId: null };
        const cached = await generate({ model: short, prompt, ...settings, useCache: true });
        const uncached = await generate({ model: short, prompt, ...settings, useCache: false });
        expect(cached.tokens).toHaveLength(40);
        expect(cached.tokens.findIndex((token, i) => token !== uncached.tokens[i])).toBe(-1); // -1: no token differs
      }
    } finally {
      short.dispose();
    }
  });

  it('honours an abort signal and validates options', async () => {
    const controller = new AbortController();
    const result = await generate({ model, prompt: hello.ids, maxNewTokens: 10, eosTokenId: null, onToken: () => controller.abort(), signal: controller.signal });
    expect(result).toMatchObject({ finishReason: 'abort' });
    expect(result.tokens).toHaveLength(1);
    await expect(generate({ model, prompt: hello.ids, topP: 1.5 })).rejects.toThrow(/topP must be in \(0, 1\]/);
    await expect(generate({ model, prompt: '' })).rejects.toThrow(/prompt is empty/);
  });

  it('leaves no tensors behind', async () => {
    await generate({ model, prompt: hello.ids, maxNewTokens: 3 });
    const before = tf.memory().numTensors;
    for (const useCache of [true, false]) await generate({ model, prompt: hello.ids, maxNewTokens: 5, useCache, temperature: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
