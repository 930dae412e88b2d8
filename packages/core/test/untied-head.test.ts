// An untied output head (`tie_word_embeddings: false`), as chapter 7 of
// LLMs-from-scratch builds it: a separate `lm_head.weight` that starts as a
// copy of wte and trains on its own. Training is checked against an
// independent float64 PyTorch run (golden/make_untied_head_golden.py), and
// checkpoints against the Hugging Face layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CausalLMExample, countParameters, createModel, freeze, fromHFConfig, gpt2Config, type GPT2Model, KVCache, loadModel, parseSafetensors, serializeSafetensors, toHFConfig, train,
} from '@tunekit/core';
import { tinyGPT2Directory } from '@tunekit/core/testing';
import { modelTensors } from '../src/io/save-pretrained';

interface TensorSummary { sum: number; sumSquares: number; row464: number[] }
interface RunGolden { losses: number[]; wte: TensorSummary; lmHead: TensorSummary }
interface UntiedGolden { learningRate: number; weightDecay: number; batchSize: number; rows: number[][]; untied: RunGolden; tied: RunGolden }

const golden = JSON.parse(readFileSync(join(__dirname, 'golden', 'untied-head-golden.json'), 'utf8')) as UntiedGolden;
const fixture = tinyGPT2Directory();
// fp32 against a float64 reference over 6 AdamW steps: 1e-5 relative on the
// losses (≈1e-4 absolute at loss 10.6), well below the ≥3e-4 tied/untied gap.
const LOSS_RTOL = 1e-5;
const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

async function load(untieOutputHead: boolean): Promise<GPT2Model> {
  const model = await loadModel({ source: fixture, untieOutputHead });
  models.push(model);
  return model;
}

/** The chapter's run: rows in order, AdamW over every parameter (decay everything), lr 1e-3, no schedule. */
async function chapterRun(model: GPT2Model): Promise<number[]> {
  const trainData: CausalLMExample[] = golden.rows.map((inputIds) => ({ inputIds }));
  const result = await train({
    model, task: 'causal-lm', trainData, batchSize: golden.batchSize, shuffle: false, maxSteps: golden.rows.length / golden.batchSize,
    optimizer: { learningRate: golden.learningRate, weightDecay: golden.weightDecay, decays: () => true },
  });
  return result.steps.map((s) => s.loss);
}

/** Bitwise equality of two float32 arrays (vitest's deep equality is far too slow for 3.2M values). */
function identical(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function summary(table: { values(): Promise<Float32Array> }): Promise<TensorSummary> {
  const values = await table.values();
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) { sum += v; sumSquares += v * v; }
  return { sum, sumSquares, row464: Array.from(values.subarray(464 * 64, 464 * 64 + 8)) };
}

function expectSummary(actual: TensorSummary, expected: TensorSummary): void {
  // A sum of 3.2M float32 values: judged against the scale of the values (√Σx² ≈ 37), not the cancelling sum.
  expect(Math.abs(actual.sum - expected.sum)).toBeLessThan(1e-5 * Math.sqrt(expected.sumSquares) * 64);
  expect(Math.abs(actual.sumSquares - expected.sumSquares) / expected.sumSquares).toBeLessThan(1e-5);
  actual.row464.forEach((v, i) => expect(Math.abs(v - (expected.row464[i] as number))).toBeLessThan(1e-5));
}

describe('untied output head', () => {
  it('trains as the float64 PyTorch reference does (chapter 7: lm_head a copy of wte, every parameter decayed)', async () => {
    const model = await load(true);
    expect(model.config.tieWordEmbeddings).toBe(false);
    const losses = await chapterRun(model);
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - (golden.untied.losses[i] as number)) / (golden.untied.losses[i] as number)));
    console.log(`untied: worst relative loss difference to PyTorch ${worst.toExponential(2)} over ${losses.length} steps`);
    expect(losses).toHaveLength(golden.untied.losses.length);
    expect(worst).toBeLessThan(LOSS_RTOL);
    expectSummary(await summary(model.params.lmHead!), golden.untied.lmHead);
    expectSummary(await summary(model.params.wte), golden.untied.wte);
  });

  it('differs from the tied run, which matches its own reference', async () => {
    const tied = await load(false);
    const losses = await chapterRun(tied);
    losses.forEach((l, i) => expect(Math.abs(l - (golden.tied.losses[i] as number)) / (golden.tied.losses[i] as number)).toBeLessThan(LOSS_RTOL));
    expectSummary(await summary(tied.params.wte), golden.tied.wte);
    // The two references differ by far more than the tolerance from step 2 on.
    const gap = Math.max(...golden.tied.losses.map((l, i) => Math.abs(l - (golden.untied.losses[i] as number))));
    expect(gap).toBeGreaterThan(20 * LOSS_RTOL * 10.8);
    const untied = await load(true);
    const untiedLosses = await chapterRun(untied);
    expect(Math.max(...losses.map((l, i) => Math.abs(l - (untiedLosses[i] as number))))).toBeGreaterThan(1e-4);
    const [head, wte] = await Promise.all([untied.params.lmHead!.values(), untied.params.wte.values()]);
    expect(identical(head, wte)).toBe(false);
  });

  it('starts as an exact copy of wte, is trainable, freezable, decayed by default and counted', async () => {
    const tied = await load(false);
    const model = await load(true);
    expect(identical(await model.params.lmHead!.values(), await model.params.wte.values())).toBe(true);
    expect(model.params.lmHead!.chunks[0]).not.toBe(model.params.wte.chunks[0]);
    const names = [...model.parameters().keys()];
    expect(names.at(-1)).toBe('lm_head.weight');
    const { vocabSize: V, embeddingDim: C } = model.config;
    expect(model.parameterReport().total).toBe(tied.parameterReport().total + V * C);
    expect(model.parameterReport().total).toBe(countParameters(model.config));
    expect(countParameters(model.config)).toBe(countParameters(tied.config) + V * C);
    const counts = freeze(model, { trainable: ['lm_head.'] });
    expect(counts.trainable).toBe(V * C);
    // Only the head trains: wte stays, the head moves.
    const wteBefore = await model.params.wte.values();
    const headBefore = await model.params.lmHead!.values();
    await train({ model, task: 'causal-lm', trainData: [{ inputIds: golden.rows[0] as number[] }], batchSize: 1, maxSteps: 1, optimizer: { learningRate: 1e-3 } });
    expect(identical(await model.params.wte.values(), wteBefore)).toBe(true);
    expect(identical(await model.params.lmHead!.values(), headBefore)).toBe(false);
  });

  it('computes logits against lm_head, not wte, in forward and with a KV cache', async () => {
    const model = await load(true);
    const ids = [golden.rows[0] as number[]];
    // Make the head differ from wte, then compare the logits with hidden · lm_headᵀ.
    const head = model.params.lmHead!.chunks[0] as tf.Variable;
    head.assign(tf.tidy(() => tf.mul(head, 0.5)));
    const { logits } = model.forward(ids);
    const expected = tf.tidy(() => tf.einsum('btc,vc->btv', model.transformer(ids).hidden, head));
    const viaWte = tf.tidy(() => tf.einsum('btc,vc->btv', model.transformer(ids).hidden, model.params.wte.chunks[0] as tf.Variable));
    expect(tf.max(tf.abs(tf.sub(logits, expected))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(logits, viaWte))).dataSync()[0]).toBeGreaterThan(1e-2);
    // Incremental decoding: the prompt, then one token at a time through the cache, gives the same last logits.
    const row = ids[0] as number[];
    const cache = new KVCache();
    tf.dispose(model.forward([row.slice(0, -1)], { cache }).logits);
    const step = model.forward([row.slice(-1)], { cache }).logits; // [1, 1, V]
    const last = tf.slice(logits, [0, row.length - 1, 0], [1, 1, -1]);
    expect(tf.max(tf.abs(tf.sub(step, last))).dataSync()[0]).toBeLessThan(1e-4);
    cache.dispose();
    tf.dispose([logits, expected, viaWte, step, last]);
  });

  it('createModel draws a random head after the tied model\'s tensors, which stay the same for a seed', async () => {
    const config = { embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 16 };
    const tied = await createModel(config, { seed: 5 });
    const untied = await createModel({ ...config, tieWordEmbeddings: false }, { seed: 5 });
    models.push(tied, untied);
    for (const [name, variable] of tied.parameters()) {
      expect(identical((await variable.data()) as Float32Array, (await untied.parameters().get(name)!.data()) as Float32Array)).toBe(true);
    }
    const head = await untied.params.lmHead!.values();
    const std = Math.sqrt(head.reduce((s, v) => s + v * v, 0) / head.length);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.001); // N(0, 0.02²), transformers' nn.Linear initialisation
  });

  it('frees the head on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = await loadModel({ source: fixture, untieOutputHead: true });
    const count = model.parameters().size;
    expect(tf.memory().numTensors).toBe(before + count);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('untied head in Hugging Face checkpoints', () => {
  async function checkpoint(model: GPT2Model): Promise<{ config: ReturnType<typeof toHFConfig>; weights: Uint8Array }> {
    return { config: toHFConfig(model.config), weights: serializeSafetensors(await modelTensors(model), { metadata: { format: 'pt' } }) };
  }

  it('saves lm_head.weight and tie_word_embeddings: false in GPT2LMHeadModel names, and loads it back exactly', async () => {
    const model = await load(true);
    const head = model.params.lmHead!.chunks[0] as tf.Variable;
    head.assign(tf.tidy(() => tf.add(head, tf.randomNormal(head.shape, 0, 0.01, 'float32', 3)))); // a head that is not wte
    const saved = await checkpoint(model);
    expect(saved.config.tie_word_embeddings).toBe(false);
    const names = [...parseSafetensors(saved.weights, { origin: 'saved' }).tensors.keys()];
    expect(names).toContain('lm_head.weight');
    expect(names).toContain('transformer.wte.weight');
    expect(names.filter((n) => n !== 'lm_head.weight').every((n) => n.startsWith('transformer.'))).toBe(true);
    const back = await loadModel({ source: saved });
    models.push(back);
    expect(back.config.tieWordEmbeddings).toBe(false);
    expect(identical(await back.params.lmHead!.values(), await model.params.lmHead!.values())).toBe(true);
    expect(identical(await back.params.wte.values(), await model.params.wte.values())).toBe(true);
    // untieOutputHead on an untied checkpoint keeps the stored head.
    const kept = await loadModel({ source: saved, untieOutputHead: true });
    models.push(kept);
    expect(identical(await kept.params.lmHead!.values(), await model.params.lmHead!.values())).toBe(true);
  });

  it('keeps tied checkpoints tied: no lm_head.weight written, tie_word_embeddings true, unprefixed names as before', async () => {
    const tied = await load(false);
    expect(tied.params.lmHead).toBeUndefined();
    const saved = await checkpoint(tied);
    expect(saved.config.tie_word_embeddings).toBe(true);
    const names = [...parseSafetensors(saved.weights, { origin: 'saved' }).tensors.keys()];
    expect(names).not.toContain('lm_head.weight');
    expect(names).toContain('wte.weight');
    // A tied checkpoint that stores lm_head.weight anyway (some tools do) loads tied, ignoring it.
    const tensors = await modelTensors(tied);
    tensors.set('lm_head.weight', { shape: [tied.config.vocabSize, tied.config.embeddingDim], data: new Float32Array(tied.config.vocabSize * tied.config.embeddingDim) });
    const withCopy = await loadModel({ source: { config: saved.config, weights: serializeSafetensors(tensors) } });
    models.push(withCopy);
    expect(withCopy.params.lmHead).toBeUndefined();
  });

  it('refuses an untied config whose checkpoint has no lm_head.weight (transformers would initialise it at random)', async () => {
    const tied = await load(false);
    const saved = await checkpoint(tied);
    const untiedConfig = { ...saved.config, tie_word_embeddings: false };
    await expect(loadModel({ source: { config: untiedConfig, weights: saved.weights } })).rejects.toMatchObject({
      code: 'checkpoint_incomplete',
      message: expect.stringMatching(/tie_word_embeddings: false.*"lm_head\.weight" \[50257,64\].*untieOutputHead/s),
    });
    // With untieOutputHead the head starts as wte instead.
    const copied = await loadModel({ source: { config: untiedConfig, weights: saved.weights }, untieOutputHead: true });
    models.push(copied);
    expect(identical(await copied.params.lmHead!.values(), await tied.params.wte.values())).toBe(true);
  });

  it('reads tie_word_embeddings from config.json and refuses a non-boolean', async () => {
    const untiedConfig = gpt2Config({ embeddingDim: 96, numLayers: 3, numHeads: 4, contextLength: 64, tieWordEmbeddings: false });
    expect(fromHFConfig(JSON.stringify(toHFConfig(untiedConfig)))).toEqual(untiedConfig);
    expect(fromHFConfig({ n_embd: 64, n_layer: 2, n_head: 4, tie_word_embeddings: true }).tieWordEmbeddings).toBeUndefined(); // tied, as the presets
    const saved = await checkpoint(await load(false));
    await expect(loadModel({ source: { config: { ...saved.config, tie_word_embeddings: 'no' as unknown as boolean }, weights: saved.weights } })).rejects.toThrow(/tieWordEmbeddings must be a boolean/);
  });
});
