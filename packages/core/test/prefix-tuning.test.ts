// Prefix tuning against an independent equivalent: the keys and values the
// base model computes for a real token sequence s, arranged in PEFT's layout
// (`view(B, P, L·2, H, D).permute(2, 0, 3, 1, 4)`), make a prefix under which
// the model reads t exactly as the base model reads s ++ t. That checks the
// layout, the position shift (t starts at position P, as in HF GPT-2) and the
// extended attention mask, with and without the KV cache.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAdapter, createPrefixTuning, type GPT2Model, generate, KVCache, loadAdapter, loadModel, type PrefixTuningAdapter, serializeSafetensors,
} from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-5;
const golden = loadGolden();
const s = goldenSequence(golden, { name: 'instruction' }).ids.slice(0, 5); // the "virtual" tokens
const t = goldenSequence(golden, { name: 'hello' }).ids; // the real tokens
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

/** The base model's keys/values for `s` as PEFT's flat prefix [P, L·2·C]: layer l's keys at columns 2l·C.., values at (2l+1)·C... */
async function prefixFromTokens(tokens: number[]): Promise<Float32Array> {
  const { numLayers: L, embeddingDim: C } = model.config;
  const P = tokens.length;
  const cache = new KVCache();
  tf.dispose(model.transformer([tokens], { cache, hooks: null }).hidden);
  const flat = new Float32Array(P * L * 2 * C);
  for (let layer = 0; layer < L; layer++) {
    const entry = cache.get(layer);
    if (!entry) throw new Error('empty cache');
    for (const [part, tensor] of [[0, entry.key], [1, entry.value]] as const) {
      const rows = tf.tidy(() => tf.reshape(tf.transpose(tensor, [0, 2, 1, 3]), [P, C])); // [1,H,P,D] → [P, H·D]
      const values = (await rows.data()) as Float32Array;
      rows.dispose();
      for (let p = 0; p < P; p++) flat.set(values.subarray(p * C, (p + 1) * C), p * L * 2 * C + (2 * layer + part) * C);
    }
  }
  cache.dispose();
  return flat;
}

/** A prefix adapter holding `flat`, loaded the way a PEFT-saved file is. */
async function prefixAdapter(flat: Float32Array, P: number): Promise<PrefixTuningAdapter> {
  const { numLayers: L, embeddingDim: C } = model.config;
  const weights = serializeSafetensors({ prompt_embeddings: { shape: [P, L * 2 * C], data: flat } });
  const config = { peft_type: 'PREFIX_TUNING', task_type: 'CAUSAL_LM', num_virtual_tokens: P, token_dim: C, num_layers: L, num_attention_heads: model.config.numHeads, num_transformer_submodules: 1 };
  return (await loadAdapter({ model, source: { config, weights } })) as PrefixTuningAdapter;
}

async function lastRows(logits: tf.Tensor3D, count: number): Promise<number[][]> {
  const rows = ((await logits.array()) as number[][][])[0] as number[][];
  logits.dispose();
  return rows.slice(rows.length - count);
}

describe('prefix tuning', () => {
  it('a prefix of cached keys/values of s makes the model read t as the base model reads s ++ t', async () => {
    const adapter = await prefixAdapter(await prefixFromTokens(s), s.length);
    const peft = applyAdapter({ model, adapter });
    const prefixed = await lastRows(model.forward([t]).logits, t.length);
    expect(prefixed).toHaveLength(t.length); // outputs keep length T
    const reference = await lastRows(model.forward([[...s, ...t]], { hooks: null }).logits, t.length);
    const diff = maxAbsDiff(prefixed, reference);
    console.log(`prefix from real keys/values vs base on s ++ t: max |logit diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(TOLERANCE);
    // Without the position shift the logits would differ: a control that the check can fail.
    const unshifted = await lastRows(model.forward([t], { hooks: null }).logits, t.length);
    expect(maxAbsDiff(prefixed, unshifted)).toBeGreaterThan(1e-2);
    peft.unload();
  });

  it('generation gives the same tokens with and without the KV cache, equal to the base model continuing s ++ t', async () => {
    const peft = applyAdapter({ model, adapter: await prefixAdapter(await prefixFromTokens(s), s.length) });
    const options = { maxNewTokens: 10, eosTokenId: null };
    const cached = await generate({ model, prompt: t, ...options, useCache: true });
    const uncached = await generate({ model, prompt: t, ...options, useCache: false });
    expect(cached.tokens).toEqual(uncached.tokens);
    const base = await generate({ model, prompt: [...s, ...t], ...options, hooks: null });
    expect(cached.tokens).toEqual(base.tokens);
    const sampled = { maxNewTokens: 10, eosTokenId: null, temperature: 1, topK: 40, seed: 7 };
    expect((await generate({ model, prompt: t, ...sampled, useCache: true })).tokens).toEqual((await generate({ model, prompt: t, ...sampled, useCache: false })).tokens);
    peft.unload();
  });

  it('extends a padding mask with the prefix: right-padded rows match their unpadded runs', async () => {
    const peft = applyAdapter({ model, adapter: createPrefixTuning({ model, numVirtualTokens: 4, seed: 2 }) });
    const short = t.slice(0, 4);
    const padded = [t, [...short, 0, 0]];
    const attentionMask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], [2, 6], 'int32');
    const { logits } = model.forward(padded, { attentionMask });
    const rows = (await logits.array()) as number[][][];
    tf.dispose([logits, attentionMask]);
    const alone = await lastRows(model.forward([short]).logits, short.length);
    const full = await lastRows(model.forward([t]).logits, t.length);
    expect(maxAbsDiff((rows[1] as number[][]).slice(0, 4), alone)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(rows[0] as number[][], full)).toBeLessThan(TOLERANCE);
    peft.unload();
  });

  it('with prefixProjection, the prefix is the MLP output tanh(E·W1ᵀ + b1)·W2ᵀ + b2', async () => {
    const adapter = createPrefixTuning({ model, numVirtualTokens: 3, prefixProjection: true, encoderHiddenSize: 16, seed: 5 });
    const p = adapter.parameters();
    expect([...p.keys()]).toEqual([
      'prompt_encoder.embedding.weight', 'prompt_encoder.transform.0.weight', 'prompt_encoder.transform.0.bias',
      'prompt_encoder.transform.2.weight', 'prompt_encoder.transform.2.bias',
    ]);
    const get = (name: string) => p.get(`prompt_encoder.${name}`) as tf.Variable;
    const expected = tf.tidy(() => {
      const hidden = tf.tanh(tf.add(tf.matMul(get('embedding.weight'), tf.transpose(get('transform.0.weight'))), get('transform.0.bias')));
      return tf.add(tf.matMul(hidden, tf.transpose(get('transform.2.weight'))), get('transform.2.bias'));
    });
    const actual = adapter.flatPrefix();
    expect(actual.shape).toEqual([3, model.config.numLayers * 2 * model.config.embeddingDim]);
    expect(maxAbsDiff(await actual.data(), await expected.data())).toBeLessThan(1e-6);
    tf.dispose([actual, expected]);
    adapter.dispose();
  });

  it('zero init gives a zero prefix; bad options are clear errors', async () => {
    const zero = createPrefixTuning({ model, numVirtualTokens: 2, init: 'zero' });
    const flat = zero.flatPrefix();
    expect(Math.max(...Array.from(await flat.data(), Math.abs))).toBe(0);
    tf.dispose(flat);
    zero.dispose();
    expect(() => createPrefixTuning({ model, numVirtualTokens: 0 })).toThrow(/numVirtualTokens must be a positive integer/);
    expect(() => createPrefixTuning({ model, numVirtualTokens: 128 })).toThrow(/leave no room in the context of 128/);
  });
});
