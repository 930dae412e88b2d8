// The AdapterSet (PEFT's PeftModel without module surgery): several named
// adapters switched by name, stacked LoRAs, trainable flags following the
// active adapter, unload restoring the base, merge_and_unload.
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adaptersOf, applyAdapter, canMerge, createLoRA, createPrefixTuning, createPromptTuning, type GPT2Model, loadModel, type MergeableAdapter, saveAdapter,
} from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const ids = [goldenSequence(loadGolden(), { name: 'hello' }).ids];
let model: GPT2Model;
beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

async function logits(target: GPT2Model = model): Promise<Float32Array> {
  const out = target.forward(ids).logits;
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

const lora = (seed: number, targets = ['c_attn']) => createLoRA({ model, rank: 2, alpha: 4, targetModules: targets, init: 'random', seed });

describe('AdapterSet', () => {
  it('switches between named adapters; each gives what it gives alone; flags follow the active one', async () => {
    const alone: Float32Array[] = [];
    for (const seed of [1, 2]) {
      const peft = applyAdapter({ model, adapter: lora(seed) });
      alone.push(await logits());
      peft.unload();
    }
    const peft = applyAdapter({ model, adapter: lora(1), name: 'first' });
    applyAdapter({ model, adapter: lora(2), name: 'second' }); // same set; second becomes active
    expect(adaptersOf(model)).toBe(peft);
    expect(peft.names).toEqual(['first', 'second']);
    expect(peft.active).toEqual(['second']);
    expect(maxAbsDiff(await logits(), alone[1] as Float32Array)).toBe(0);
    peft.setActive('first');
    expect(maxAbsDiff(await logits(), alone[0] as Float32Array)).toBe(0);
    const trainable = [...peft.parameters()].filter(([, v]) => v.trainable).map(([name]) => name.split('/')[0]);
    expect(new Set(trainable)).toEqual(new Set(['first']));
    expect([...peft.parameters().keys()]).toContain('second/base_model.model.transformer.h.1.attn.c_attn.lora_B.weight');
    expect(() => peft.setActive('third')).toThrow(/No adapter named "third"; adapters: first, second/);
    expect(() => peft.add('first', lora(3))).toThrow(/already exists/);
    await expect(saveAdapter({ adapter: peft.setActive(['first', 'second']), directory: '/nonexistent' })).rejects.toThrow(/2 active adapters/);
    peft.unload();
  });

  it('stacks active LoRA adapters (their updates add) and merges them together', async () => {
    const peft = applyAdapter({ model, adapter: lora(1, ['c_attn', 'c_fc']), name: 'a' });
    peft.add('b', lora(2, ['c_fc', 'mlp.c_proj']));
    peft.setActive(['a', 'b']);
    const stacked = await logits();
    // Merging adds both deltas to the shared weights; equal logits show the hooks add both updates too.
    peft.merge();
    const merged = await logits();
    expect(maxAbsDiff(merged, stacked)).toBeLessThan(1e-4);
    peft.setActive('a'); // b becomes inactive, so it is unmerged first
    const onlyA = await logits();
    peft.unmerge();
    expect(maxAbsDiff(await logits(), onlyA)).toBeLessThan(1e-5);
    expect(maxAbsDiff(onlyA, stacked)).toBeGreaterThan(1e-3);
    peft.remove('b');
    expect(peft.names).toEqual(['a']);
    peft.unload();
  });

  it('one prompt- and one prefix-tuning adapter at most; LoRA combines with either', async () => {
    const peft = applyAdapter({ model, adapter: createPromptTuning({ model, numVirtualTokens: 2 }), name: 'p1' });
    peft.add('p2', createPromptTuning({ model, numVirtualTokens: 2 }), { activate: false });
    peft.add('prefix', createPrefixTuning({ model, numVirtualTokens: 2 }), { activate: false });
    peft.add('lora', lora(5), { activate: false });
    expect(() => peft.setActive(['p1', 'p2'])).toThrow(/Only one prompt-tuning adapter/);
    expect(peft.active).toEqual(['p1']); // unchanged after the failed switch
    peft.setActive(['p1', 'prefix', 'lora']);
    const out = model.forward(ids).logits;
    expect(out.shape[1]).toBe(ids[0]!.length + 2);
    out.dispose();
    expect(() => peft.merge()).toThrow(/Only mergeable adapters \(LoRA\) can be merged; active adapter\(s\) p1 \(PROMPT_TUNING\), prefix \(PREFIX_TUNING\) cannot be/);
    peft.unload();
  });

  it('unload restores the base exactly: hooks, trainable flags (including ones the user froze), logits', async () => {
    const base = await logits();
    const ln = model.parameters().get('ln_f.weight') as tf.Variable;
    ln.trainable = false; // the user's own choice must survive
    const peft = applyAdapter({ model, adapter: lora(1) });
    expect([...model.parameters().values()].some((v) => v.trainable)).toBe(false);
    peft.disable();
    expect(peft.isEnabled).toBe(false);
    expect(model.hooks).toBeUndefined();
    peft.enable();
    expect(model.hooks).toBeDefined();
    const adapterVariables = [...peft.parameters().values()];
    peft.unload();
    expect(model.hooks).toBeUndefined();
    expect(adaptersOf(model)).toBeUndefined();
    expect(adapterVariables.every((v) => v.isDisposed)).toBe(true);
    const flags = [...model.parameters()].filter(([, v]) => !v.trainable).map(([name]) => name);
    expect(flags).toEqual(['ln_f.weight']);
    ln.trainable = true;
    expect(maxAbsDiff(await logits(), base)).toBe(0);
  });

  it('mergeAndUnload returns a plain model whose weights carry the update', async () => {
    const fresh = await loadModel({ source: tinyGPT2Directory() });
    const peft = applyAdapter({ model: fresh, adapter: createLoRA({ model: fresh, rank: 2, alpha: 4, init: 'random', seed: 3 }) });
    const adapted = await logits(fresh);
    const plain = peft.mergeAndUnload();
    expect(plain).toBe(fresh);
    expect(plain.hooks).toBeUndefined();
    expect([...plain.parameters().values()].every((v) => v.trainable)).toBe(true);
    expect(maxAbsDiff(await logits(plain), adapted)).toBeLessThan(1e-4);
    fresh.dispose();
  });

  it('merges any adapter that implements MergeableAdapter, not only LoRAAdapter instances', async () => {
    const base = await logits();
    const inner = lora(7);
    // Another implementation of the interface (delegating to a LoRA): the set must merge it through the interface.
    const custom: MergeableAdapter = {
      peftType: inner.peftType,
      hooks: inner.hooks,
      get isMerged() { return inner.isMerged; },
      get isDisposed() { return inner.isDisposed; },
      merge: () => inner.merge(),
      unmerge: () => inner.unmerge(),
      parameters: () => inner.parameters(),
      peftConfig: () => inner.peftConfig(),
      peftTensors: () => inner.peftTensors(),
      dispose: () => inner.dispose(),
    };
    expect(canMerge(custom)).toBe(true);
    const prompt = createPromptTuning({ model, numVirtualTokens: 1 });
    expect(canMerge(prompt)).toBe(false);
    prompt.dispose();
    const peft = applyAdapter({ model, adapter: custom, name: 'custom' });
    const hooked = await logits();
    peft.merge();
    expect(custom.isMerged).toBe(true);
    expect(maxAbsDiff(await logits(), hooked)).toBeLessThan(1e-4);
    peft.add('other', lora(8)); // switching away unmerges it
    expect(custom.isMerged).toBe(false);
    peft.unload();
    expect(maxAbsDiff(await logits(), base)).toBeLessThan(1e-5);
  });
});
