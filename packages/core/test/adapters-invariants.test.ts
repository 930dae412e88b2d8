// The adapter invariants (STYLE.md habit 3), each its own test, for LoRA,
// prefix tuning (plain and with the MLP) and prompt tuning on the tiny
// fixture model: zero-B LoRA = base; merged ≈ unmerged; disabled = base;
// save → load is exact; a training step changes only adapter variables and
// optimizer state exists only for them; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter, applyAdapter, createLoRA, createPrefixTuning, createPromptTuning, type GPT2Model, generate, IGNORE_INDEX,
  lmCrossEntropy, loadAdapter, loadModel, type LoRAAdapter, prependIgnoreLabels, saveAdapter, virtualTokenCount,
} from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const hello = goldenSequence(loadGolden(), { name: 'hello' });
const batch = [hello.ids, [...hello.ids].reverse()];
let model: GPT2Model;
let scratch: string;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
  scratch = mkdtempSync(join(tmpdir(), 'tunekit-adapters-'));
});
afterAll(() => {
  model.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every method, set up so that it changes the model's output from the start. */
const METHODS: Record<string, (m: GPT2Model) => Adapter> = {
  lora: (m) => createLoRA({ model: m, rank: 4, alpha: 8, targetModules: ['c_attn', 'c_proj', 'c_fc'], init: 'random', seed: 1 }),
  'prefix tuning': (m) => createPrefixTuning({ model: m, numVirtualTokens: 3, seed: 1 }),
  'prefix tuning with projection': (m) => createPrefixTuning({ model: m, numVirtualTokens: 3, prefixProjection: true, encoderHiddenSize: 16, seed: 1 }),
  'prompt tuning': (m) => createPromptTuning({ model: m, numVirtualTokens: 3, seed: 1 }),
};

async function logitsOf(options: { hooks?: null } = {}): Promise<number[]> {
  const { logits } = model.forward(batch, options);
  const values = Array.from(await logits.data());
  logits.dispose();
  return values;
}

async function snapshot(variables: Iterable<tf.Variable>): Promise<Float32Array[]> {
  return Promise.all([...variables].map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

/** Gradients as the optimizer's list of named tensors. */
function named(grads: tf.NamedTensorMap): { name: string; tensor: tf.Tensor }[] {
  return Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
}

function bitwiseEqual(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** Shifted LM labels for the batch, with ignore labels in front of any prompt-tuning positions. */
function labels(): number[] {
  const rows = batch.map((ids) => [...ids.slice(1), IGNORE_INDEX]);
  return prependIgnoreLabels(rows, { count: virtualTokenCount(model) }).flat();
}

describe('zero-B LoRA equals the base model', () => {
  it('PEFT-default initialisation (B = 0) leaves logits and generation unchanged', async () => {
    const base = await logitsOf();
    const adapter = createLoRA({ model, rank: 8, alpha: 32, targetModules: 'all-linear', seed: 3 });
    const peft = applyAdapter({ model, adapter });
    const adapted = await logitsOf();
    // x·Aᵀ·0 adds exact zeros, so equality is exact, not approximate.
    expect(maxAbsDiff(adapted, base)).toBe(0);
    const withAdapter = await generate({ model, prompt: hello.ids, maxNewTokens: 6, eosTokenId: null });
    expect(withAdapter.tokens).toEqual(hello.greedy_10?.slice(0, 6));
    peft.unload();
  });
});

describe('merged equals unmerged', () => {
  it('merging changes the base weights but not the logits (1e-4); unmerging restores the weights (1e-6)', async () => {
    const base = await logitsOf();
    const weights = [...model.parameters().values()];
    const before = await snapshot(weights);
    const peft = applyAdapter({ model, adapter: METHODS.lora!(model) });
    const unmerged = await logitsOf();
    expect(maxAbsDiff(unmerged, base)).toBeGreaterThan(1e-2); // the adapter matters
    peft.merge();
    expect((peft.get('default') as LoRAAdapter).isMerged).toBe(true);
    const merged = await logitsOf();
    const mergedDiff = maxAbsDiff(merged, unmerged);
    expect(mergedDiff).toBeLessThan(1e-4);
    peft.unmerge();
    const after = await snapshot(weights);
    const restoreDiff = Math.max(...after.map((values, i) => maxAbsDiff(values, before[i] as Float32Array)));
    console.log(`LoRA merge: max |merged − unmerged logit| ${mergedDiff.toExponential(2)}; max |weight after unmerge − before| ${restoreDiff.toExponential(2)}`);
    expect(restoreDiff).toBeLessThan(1e-6);
    expect(maxAbsDiff(await logitsOf(), unmerged)).toBeLessThan(1e-5);
    peft.unload();
  });
});

describe.each(Object.keys(METHODS))('%s', (method) => {
  const make = METHODS[method] as (m: GPT2Model) => Adapter;

  it('a disabled adapter equals the base model exactly, and enabling restores it', async () => {
    const base = await logitsOf();
    const peft = applyAdapter({ model, adapter: make(model) });
    const adapted = await logitsOf();
    // Prompt tuning adds 3 output positions per row; the others change the values.
    if (method === 'prompt tuning') expect(adapted.length - base.length).toBe(batch.length * 3 * model.config.vocabSize);
    else expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-3);
    peft.disable();
    expect(maxAbsDiff(await logitsOf(), base)).toBe(0);
    const inside = await peft.withDisabled(() => logitsOf());
    expect(maxAbsDiff(inside, base)).toBe(0);
    peft.enable();
    expect(maxAbsDiff(await logitsOf(), adapted)).toBe(0);
    expect(maxAbsDiff(await logitsOf({ hooks: null }), base)).toBe(0);
    peft.unload();
  });

  it('save → load round-trips the tensors and the logits', async () => {
    const adapter = make(model);
    const peft = applyAdapter({ model, adapter });
    const logits = await logitsOf();
    const directory = join(scratch, method.replace(/ /g, '-'));
    await saveAdapter({ adapter: peft, directory, baseModelNameOrPath: 'tiny-gpt2' });
    expect(readdirSync(directory).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const saved = await adapter.peftTensors();
    peft.unload();

    const loaded = await loadAdapter({ model, source: directory });
    const reloaded = await loaded.peftTensors();
    expect([...reloaded.keys()].sort()).toEqual([...saved.keys()].sort());
    for (const [key, tensor] of saved) {
      expect(reloaded.get(key)?.shape, key).toEqual(tensor.shape);
      expect(bitwiseEqual(reloaded.get(key)?.data as Float32Array, tensor.data), key).toBe(true);
    }
    const again = applyAdapter({ model, adapter: loaded });
    const diff = maxAbsDiff(await logitsOf(), logits);
    // The projected prefix is saved as the MLP's output (as PEFT does): the
    // reloaded plain prefix computes the same values through a different slicing.
    if (method === 'prefix tuning with projection') expect(diff).toBeLessThan(1e-6);
    else expect(diff).toBe(0);
    again.unload();
  });

  it('one training step changes only adapter variables; optimizer state exists only for them', async () => {
    const peft = applyAdapter({ model, adapter: make(model) });
    const base = [...model.parameters().values()];
    const adapterVariables = [...peft.parameters().values()];
    const trainable = [...base, ...adapterVariables].filter((v) => v.trainable);
    expect(new Set(trainable)).toEqual(new Set(adapterVariables));
    const baseBefore = await snapshot(base);
    const adapterBefore = await snapshot(adapterVariables);

    const optimizer = tf.train.adam(1e-2);
    const { value, grads } = tf.variableGrads(() => lmCrossEntropy(model.transformer(batch, { training: true }).hidden, model.params.wte, labels()), trainable);
    optimizer.applyGradients(named(grads));
    tf.dispose([value, ...Object.values(grads)]);

    const baseAfter = await snapshot(base);
    baseAfter.forEach((values, i) => expect(bitwiseEqual(values, baseBefore[i] as Float32Array), `base variable ${i}`).toBe(true));
    const adapterAfter = await snapshot(adapterVariables);
    adapterAfter.forEach((values, i) => expect(bitwiseEqual(values, adapterBefore[i] as Float32Array), `adapter variable ${i}`).toBe(false));
    // Adam keeps two moment tensors per trainable variable, and nothing else.
    const state = (await optimizer.getWeights()).filter((w) => w.name !== 'iter');
    const stateSize = state.reduce((n, w) => n + w.tensor.size, 0);
    expect(stateSize).toBe(2 * adapterVariables.reduce((n, v) => n + v.size, 0));
    optimizer.dispose();
    peft.unload();
  });

  it('leaves no tensors behind across forward, generation, training steps and load/unload', async () => {
    const source = make(model);
    const directory = join(scratch, `${method.replace(/ /g, '-')}-memory`);
    await saveAdapter({ adapter: source, directory });
    source.dispose();
    const optimizer = tf.train.sgd(1e-3);
    const cycle = async () => {
      const peft = applyAdapter({ model, adapter: await loadAdapter({ model, source: directory }) });
      const out = model.forward(batch);
      tf.dispose([out.logits, out.hidden]);
      await generate({ model, prompt: hello.ids, maxNewTokens: 4, eosTokenId: null, useCache: true });
      await generate({ model, prompt: hello.ids, maxNewTokens: 2, eosTokenId: null, useCache: false });
      const trainable = [...peft.parameters().values()];
      const { value, grads } = tf.variableGrads(() => lmCrossEntropy(model.transformer(batch, { training: true }).hidden, model.params.wte, labels()), trainable);
      optimizer.applyGradients(named(grads));
      tf.dispose([value, ...Object.values(grads)]);
      peft.unload();
    };
    await cycle();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) await cycle();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
  });
});
