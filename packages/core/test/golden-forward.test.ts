// Parity of the forward pass with the independent PyTorch reference
// (shared/fixtures/tiny-gpt2/golden.json), on the default backend.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GPT2Model, loadModel, resolveBackend } from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-4;
const golden = loadGolden();
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
  const { capabilities } = await resolveBackend();
  console.log(`backend: ${capabilities.description}`);
});
afterAll(() => model.dispose());

function columns(row: Float32Array, from: number, to: number): number[] {
  return Array.from(row.subarray(from, to));
}

function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

describe.each(golden.sequences.map((s) => s.name))('sequence %s', (name) => {
  const sequence = goldenSequence(golden, { name });

  it('matches logits, logsumexp, argmax and loss within 1e-4', async () => {
    const { logits } = model.forward([sequence.ids]);
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    const vocab = model.config.vocabSize;
    const rows = sequence.ids.map((_, t) => values.subarray(t * vocab, (t + 1) * vocab));
    const first8 = rows.map((row) => columns(row, 0, 8));
    const last4 = rows.map((row) => columns(row, vocab - 4, vocab));
    const lse = rows.map(logSumExp);
    const argmax = rows.map((row) => row.indexOf(Math.max(...row)));
    let loss = 0;
    for (let t = 0; t + 1 < rows.length; t++) loss += (lse[t] as number) - ((rows[t] as Float32Array)[sequence.ids[t + 1] as number] as number);
    loss /= rows.length - 1;
    const diffs = {
      first8: maxAbsDiff(first8, sequence.logits_first8),
      last4: maxAbsDiff(last4, sequence.logits_last4),
      logsumexp: maxAbsDiff(lse, sequence.logits_logsumexp),
      loss: Math.abs(loss - sequence.loss),
    };
    console.log(`${name}: max abs diff ${JSON.stringify(diffs)}`);
    expect(diffs.first8).toBeLessThan(TOLERANCE);
    expect(diffs.last4).toBeLessThan(TOLERANCE);
    expect(diffs.logsumexp).toBeLessThan(TOLERANCE);
    expect(diffs.loss).toBeLessThan(TOLERANCE);
    expect(argmax).toEqual(sequence.argmax);
  });

  // full_context_128 fills the context, so the reference has no continuation for it.
  if (sequence.greedy_10 === null) return;
  it('greedy 10-token continuation matches, with and without the KV cache', async () => {
    const { generate } = await import('@tunekit/core');
    for (const useCache of [false, true]) {
      const result = await generate({ model, prompt: sequence.ids, maxNewTokens: 10, eosTokenId: null, useCache });
      expect(result.tokens, `useCache=${useCache}`).toEqual(sequence.greedy_10);
    }
  });
});

describe('hidden states of "hello"', () => {
  it('embeddings, each block output and ln_f output match within 1e-4', async () => {
    const hello = goldenSequence(golden, { name: 'hello' });
    const out = model.forward([hello.ids], { outputHiddenStates: true });
    const states = out.hiddenStates as tf.Tensor3D[];
    const expected = golden.hidden_states_hello;
    const firstChannels = async (t: tf.Tensor3D) => (await tf.slice(t, [0, 0, 0], [1, -1, 8]).array() as number[][][])[0] as number[][];
    expect(states).toHaveLength(1 + model.config.numLayers);
    const diffs = {
      embeddings: maxAbsDiff(await firstChannels(states[0] as tf.Tensor3D), expected.embeddings),
      block_0_out: maxAbsDiff(await firstChannels(states[1] as tf.Tensor3D), expected.block_0_out),
      block_1_out: maxAbsDiff(await firstChannels(states[2] as tf.Tensor3D), expected.block_1_out),
      ln_f_out: maxAbsDiff(await firstChannels(out.hidden as tf.Tensor3D), expected.ln_f_out),
    };
    console.log(`hidden states max abs diff ${JSON.stringify(diffs)}`);
    for (const diff of Object.values(diffs)) expect(diff).toBeLessThan(TOLERANCE);
    tf.dispose([out.logits, out.hidden, ...states]);
  });
});

describe('tokenizer', () => {
  it('tokenizes the two text sequences to the golden ids', () => {
    for (const sequence of golden.sequences.filter((s) => s.text !== null)) {
      expect(model.tokenizer.encode(sequence.text as string)).toEqual(sequence.ids);
      expect(model.tokenizer.decode(sequence.ids)).toBe(sequence.text);
    }
  });
});
