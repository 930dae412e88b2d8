// Trainable-parameter counts: the shape-only counts agree with real adapters
// on the tiny model; PEFT's report format; the gpt2-small numbers derived in
// REFERENCE.md; and the appendix-E LoRA numbers reconciled exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adapterParameterCount, type AdapterSizeSpec, applyAdapter, countParameters, createLoRA, createPrefixTuning, createPromptTuning,
  formatTrainableParameters, type GPT2Model, gpt2Config, loadModel, trainableParameters,
} from '@tunekit/core';
import { tinyGPT2Directory } from '@tunekit/core/testing';

let model: GPT2Model;
beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

describe('trainable parameter counts', () => {
  it('shape-only counts equal the variables real adapters create', () => {
    const cases: [AdapterSizeSpec, () => { parameters(): Map<string, { size: number }>; dispose(): void }][] = [
      [{ method: 'lora', rank: 4 }, () => createLoRA({ model, rank: 4 })],
      [{ method: 'lora', rank: 3, targetModules: ['c_proj'], layersToTransform: [1] }, () => createLoRA({ model, rank: 3, targetModules: ['c_proj'], layersToTransform: [1] })],
      [{ method: 'lora', rank: 2, targetModules: 'all-linear' }, () => createLoRA({ model, rank: 2, targetModules: 'all-linear' })],
      [{ method: 'prefix-tuning', numVirtualTokens: 7 }, () => createPrefixTuning({ model, numVirtualTokens: 7 })],
      [{ method: 'prefix-tuning', numVirtualTokens: 7, prefixProjection: true, encoderHiddenSize: 16 }, () => createPrefixTuning({ model, numVirtualTokens: 7, prefixProjection: true, encoderHiddenSize: 16 })],
      [{ method: 'prompt-tuning', numVirtualTokens: 9 }, () => createPromptTuning({ model, numVirtualTokens: 9 })],
    ];
    for (const [spec, make] of cases) {
      const adapter = make();
      const actual = [...adapter.parameters().values()].reduce((n, v) => n + v.size, 0);
      expect(adapterParameterCount(model.config, spec), JSON.stringify(spec)).toBe(actual);
      adapter.dispose();
    }
  });

  it("reports like PEFT's print_trainable_parameters", () => {
    const peft = applyAdapter({ model, adapter: createLoRA({ model, rank: 4 }) });
    const report = peft.trainableParameters();
    const base = countParameters(model.config);
    const lora = 2 * 4 * (64 + 192); // two layers of c_attn
    expect(report).toMatchObject({ trainable: lora, total: base + lora });
    expect(report.percent).toBeCloseTo((100 * lora) / (base + lora), 10);
    expect(report.toString()).toBe(formatTrainableParameters(report));
    expect(formatTrainableParameters({ trainable: 294912, total: 124734720, percent: (100 * 294912) / 124734720 }))
      .toBe('trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364');
    expect(trainableParameters(model).trainable).toBe(0);
    peft.unload();
  });

  it('gpt2-small: the numbers derived in REFERENCE.md', () => {
    const small = gpt2Config('gpt2');
    expect(countParameters(small)).toBe(124_439_808);
    expect(adapterParameterCount(small, { method: 'lora', rank: 8, targetModules: ['c_attn'] })).toBe(294_912);
    expect(adapterParameterCount(small, { method: 'prompt-tuning', numVirtualTokens: 20 })).toBe(15_360);
    expect(adapterParameterCount(small, { method: 'prefix-tuning', numVirtualTokens: 20 })).toBe(368_640);
  });

  it('appendix E (rank 16 on every linear layer + a 2-class head): 2,666,528 of 124,441,346, reconciled', () => {
    const small = gpt2Config('gpt2');
    const { embeddingDim: C, innerDim: F, numLayers: L } = small;
    const r = 16;
    // The appendix's total is its model before LoRA: GPT-2 (tied embeddings,
    // 124,439,808) whose output layer is replaced by Linear(768, 2) with bias.
    const head = C * 2 + 2;
    expect(countParameters(small) + head).toBe(124_441_346);
    // Ours: PEFT-style LoRA on the fused c_attn, both projections, c_fc, and the head.
    const ours = adapterParameterCount(small, {
      method: 'lora', rank: r, targetModules: ['c_attn', 'c_proj', 'c_fc', 'score'], extraModules: [{ name: 'score', inFeatures: C, outFeatures: 2 }],
    });
    expect(ours).toBe(L * r * ((C + 3 * C) + (C + C) + (C + F) + (F + C)) + r * (C + 2));
    expect(ours).toBe(2_371_616);
    // The appendix's GPT keeps separate W_query, W_key, W_value (768 → 768 each),
    // so its attention input costs 3·r·(C + C) instead of the fused r·(C + 3C).
    const separateQkvExtra = L * (3 * r * (C + C) - r * (C + 3 * C));
    expect(ours + separateQkvExtra).toBe(2_666_528);
  });
});
