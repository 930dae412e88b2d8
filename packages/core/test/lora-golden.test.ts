// The PEFT LoRA adapter of the tiny-GPT-2 fixture (`lora/`), loaded through
// our PEFT reader, against the independent PyTorch reference (`golden.json`
// `lora`): logits, argmax and loss within 1e-4 absolute; gradients of every
// A/B tensor (base frozen) within 1e-4 relative.
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdapterSet, applyAdapter, type GPT2Model, IGNORE_INDEX, lmCrossEntropy, loadAdapter, loadModel, LoRAAdapter } from '@tunekit/core';
import { loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

const ABS_TOLERANCE = 1e-4;
const REL_TOLERANCE = 1e-4;
const golden = loadGolden();
const expected = golden.lora;
let model: GPT2Model;
let peft: AdapterSet;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
  const warnings: string[] = [];
  const adapter = await loadAdapter({ model, source: join(tinyGPT2Directory(), expected.adapter_dir), logger: { warn: (m) => warnings.push(m) } });
  expect(warnings).toEqual([]); // the fixture config has only known fields
  peft = applyAdapter({ model, adapter });
});
afterAll(() => {
  peft.unload();
  model.dispose();
});

function labelsFor(ids: number[]): number[] {
  return [...ids.slice(1), IGNORE_INDEX];
}

describe('PEFT LoRA fixture against the PyTorch reference', () => {
  it('reads r, alpha and the targets from adapter_config.json', () => {
    const adapter = peft.get('default') as LoRAAdapter;
    expect(adapter).toBeInstanceOf(LoRAAdapter);
    expect(adapter.scaling).toBe(expected.scaling);
    expect(adapter.targetNames).toHaveLength(8); // c_attn, attn.c_proj, c_fc, mlp.c_proj × 2 layers
    expect(new Set(adapter.parameters().keys())).toEqual(new Set(Object.keys(expected.grad_norms)));
  });

  it('logits, argmax and loss match within 1e-4', async () => {
    const { logits } = model.forward([expected.ids]); // [1, T, V]
    const values = (await logits.array())[0] as number[][];
    const first8 = values.map((row) => row.slice(0, 8));
    const argmax = values.map((row) => row.indexOf(Math.max(...row)));
    const base = model.forward([expected.ids], { hooks: null }).logits;
    const change = tf.tidy(() => tf.max(tf.abs(tf.sub(logits, base))));
    const maxChange = (await change.data())[0] as number;
    const loss = tf.tidy(() => lmCrossEntropy(model.transformer([expected.ids]).hidden, model.params.wte, labelsFor(expected.ids)));
    const lossValue = (await loss.data())[0] as number;
    tf.dispose([logits, base, change, loss]);

    const logitDiff = maxAbsDiff(first8, expected.logits_first8);
    const lossDiff = Math.abs(lossValue - expected.loss);
    const changeDiff = Math.abs(maxChange - expected.max_abs_logit_change_vs_base);
    console.log(`LoRA fixture: max |logit diff| ${logitDiff.toExponential(2)}, |loss diff| ${lossDiff.toExponential(2)}, |max change vs base diff| ${changeDiff.toExponential(2)}`);
    expect(logitDiff).toBeLessThan(ABS_TOLERANCE);
    expect(argmax).toEqual(expected.argmax);
    expect(lossDiff).toBeLessThan(ABS_TOLERANCE);
    // The adapter really changes the model, by as much as the reference says.
    expect(changeDiff).toBeLessThan(ABS_TOLERANCE);
  });

  it('gradients of every A and B (base frozen) match within 1e-4 relative', async () => {
    const variables = peft.get('default').parameters();
    const trainable = [...model.parameters().values()].filter((v) => v.trainable);
    expect(trainable).toEqual([]); // applyAdapter froze the base
    const { value, grads } = tf.variableGrads(
      () => lmCrossEntropy(model.transformer([expected.ids]).hidden, model.params.wte, labelsFor(expected.ids)),
      [...variables.values()],
    );
    let worstNorm = 0;
    const byKey = new Map<string, Float32Array>();
    for (const [key, variable] of variables) {
      const grad = (await (grads[variable.name] as tf.Tensor).data()) as Float32Array;
      byKey.set(key, grad);
      const norm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0));
      const want = expected.grad_norms[key] as number;
      const relative = Math.abs(norm - want) / want;
      worstNorm = Math.max(worstNorm, relative);
      expect(relative, key).toBeLessThan(REL_TOLERANCE);
    }
    let worstValue = 0;
    const firstValues: [string, number[]][] = [
      ['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight', expected.grad_h0_c_attn_lora_A_first4],
      ['base_model.model.transformer.h.0.attn.c_attn.lora_B.weight', expected.grad_h0_c_attn_lora_B_first4],
    ];
    for (const [key, want] of firstValues) {
      const got = byKey.get(key) as Float32Array;
      want.forEach((w, i) => {
        const relative = Math.abs((got[i] as number) - w) / Math.abs(w);
        worstValue = Math.max(worstValue, relative);
        expect(relative, `${key}[${i}]`).toBeLessThan(REL_TOLERANCE);
      });
    }
    console.log(`LoRA fixture gradients: max relative norm diff ${worstNorm.toExponential(2)}, max relative first-value diff ${worstValue.toExponential(2)}`);
    tf.dispose([value, ...Object.values(grads)]);
  });
});
