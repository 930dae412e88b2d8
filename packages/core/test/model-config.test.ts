// Configs: presets, Hugging Face config.json round trip, defaults and errors.
import { describe, expect, it } from 'vitest';
import { countParameters, fromHFConfig, GPT2_PRESETS, gpt2Config, toHFConfig } from '@tunekit/core';

describe('GPT-2 configs', () => {
  it('presets have the published parameter counts (tied head counted once)', () => {
    // Counts of transformers' GPT2LMHeadModel, tied weights counted once.
    expect(countParameters(GPT2_PRESETS.gpt2)).toBe(124_439_808);
    expect(countParameters(GPT2_PRESETS['gpt2-medium'])).toBe(354_823_168);
    expect(countParameters(GPT2_PRESETS['gpt2-large'])).toBe(774_030_080);
    expect(countParameters(GPT2_PRESETS['gpt2-xl'])).toBe(1_557_611_200);
  });

  it('round-trips through the Hugging Face layout', () => {
    for (const preset of Object.values(GPT2_PRESETS)) expect(fromHFConfig(toHFConfig(preset))).toEqual(preset);
    const custom = gpt2Config({ embeddingDim: 96, numLayers: 3, numHeads: 4, innerDim: 200, contextLength: 64 });
    expect(fromHFConfig(JSON.stringify(toHFConfig(custom)))).toEqual(custom);
  });

  it('fills missing fields with transformers defaults', () => {
    const config = fromHFConfig({ n_embd: 64, n_layer: 2, n_head: 4 });
    expect(config).toMatchObject({ vocabSize: 50257, contextLength: 1024, innerDim: 256, activation: 'gelu_new', layerNormEpsilon: 1e-5, residualDropout: 0.1 });
  });

  it('gives errors that name the file and the field', () => {
    expect(() => fromHFConfig('{not json', { origin: 'models/x/config.json' })).toThrow(/models\/x\/config\.json: not valid JSON/);
    expect(() => fromHFConfig({ model_type: 'llama' }, { origin: 'c.json' })).toThrow(/c\.json: model_type is "llama"/);
    expect(() => fromHFConfig({ n_embd: 65, n_head: 4 }, { origin: 'c.json' })).toThrow(/c\.json: .*embeddingDim \(65\) must be divisible by numHeads \(4\)/);
    expect(() => fromHFConfig({ activation_function: 'swish' }, { origin: 'c.json' })).toThrow(/activation "swish" is not supported/);
    expect(() => gpt2Config({ numLayers: 0 })).toThrow(/numLayers must be a positive integer/);
    expect(() => gpt2Config('gpt3' as 'gpt2')).toThrow(/Unknown GPT-2 preset "gpt3"/);
  });
});
