// PEFT's file layout as a contract: the config fields and key names/shapes we
// write for each method, what we accept (PEFT's minimal config, unknown keys
// with one warning, URLs, modules_to_save) and the errors for bad files, each
// naming the file, the field or key, and both shapes.
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter, createLoRA, createPrefixTuning, createPromptTuning, type GPT2Model, loadAdapter, loadModel, parseSafetensors,
  PEFT_FORMAT_VERSION, peftFieldDefaults, saveAdapter, serializeSafetensors,
} from '@tunekit/core';
import { tinyGPT2Directory } from '@tunekit/core/testing';

let model: GPT2Model;
let scratch: string;
beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
  scratch = mkdtempSync(join(tmpdir(), 'tunekit-peft-'));
});
afterAll(() => {
  model.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

async function saved(adapter: Adapter, name: string, extra: Partial<Parameters<typeof saveAdapter>[0]> = {}) {
  const directory = join(scratch, name);
  await saveAdapter({ adapter, directory, baseModelNameOrPath: 'openai-community/gpt2', ...extra });
  const text = readFileSync(join(directory, 'adapter_config.json'), 'utf8');
  const weights = parseSafetensors(readFileSync(join(directory, 'adapter_model.safetensors')));
  return { directory, text, config: JSON.parse(text) as Record<string, unknown>, weights };
}

const shapes = (weights: ReturnType<typeof parseSafetensors>) => Object.fromEntries([...weights.tensors].map(([k, t]) => [k, t.shape]));

describe('writing', () => {
  it('LoRA: every LoRAConfig field, sorted, PEFT key names and shapes', async () => {
    const adapter = createLoRA({ model, rank: 4, alpha: 8, dropout: 0.05, targetModules: ['c_proj', 'c_attn'] });
    const { text, config, weights } = await saved(adapter, 'lora');
    adapter.dispose();
    expect(Object.keys(config).sort()).toEqual(Object.keys(peftFieldDefaults('LORA')).sort());
    expect(Object.keys(config)).toEqual(Object.keys(config).sort()); // sort_keys=True
    expect(text.split('\n')[1]).toBe('  "alora_invocation_tokens": null,'); // indent=2
    expect(config).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, lora_dropout: 0.05, target_modules: ['c_attn', 'c_proj'],
      fan_in_fan_out: true, bias: 'none', use_rslora: false, init_lora_weights: true, inference_mode: true, modules_to_save: null,
      base_model_name_or_path: 'openai-community/gpt2', peft_version: PEFT_FORMAT_VERSION, rank_pattern: {}, use_dora: false,
    });
    expect(weights.metadata).toEqual({ format: 'pt' });
    const h0 = 'base_model.model.transformer.h.0';
    expect(shapes(weights)).toMatchObject({
      [`${h0}.attn.c_attn.lora_A.weight`]: [4, 64], [`${h0}.attn.c_attn.lora_B.weight`]: [192, 4],
      [`${h0}.attn.c_proj.lora_A.weight`]: [4, 64], [`${h0}.attn.c_proj.lora_B.weight`]: [64, 4],
      [`${h0}.mlp.c_proj.lora_A.weight`]: [4, 256], [`${h0}.mlp.c_proj.lora_B.weight`]: [64, 4],
    });
    expect(weights.tensors.size).toBe(12); // 3 maps × 2 layers × A/B
  });

  it('prefix and prompt tuning: PromptLearningConfig fields and a single prompt_embeddings', async () => {
    const prefix = createPrefixTuning({ model, numVirtualTokens: 5, prefixProjection: true, encoderHiddenSize: 32 });
    const p = await saved(prefix, 'prefix');
    prefix.dispose();
    expect(Object.keys(p.config).sort()).toEqual(Object.keys(peftFieldDefaults('PREFIX_TUNING')).sort());
    expect(p.config).toMatchObject({
      peft_type: 'PREFIX_TUNING', num_virtual_tokens: 5, token_dim: 64, num_layers: 2, num_attention_heads: 4,
      num_transformer_submodules: 1, prefix_projection: true, encoder_hidden_size: 32, init_weights: null,
    });
    expect(shapes(p.weights)).toEqual({ prompt_embeddings: [5, 2 * 2 * 64] }); // the MLP output, not its weights

    const prompt = createPromptTuning({ model, numVirtualTokens: 6, init: 'TEXT', initText: 'Classify:' });
    const q = await saved(prompt, 'prompt');
    prompt.dispose();
    expect(Object.keys(q.config).sort()).toEqual(Object.keys(peftFieldDefaults('PROMPT_TUNING')).sort());
    expect(q.config).toMatchObject({
      peft_type: 'PROMPT_TUNING', num_virtual_tokens: 6, token_dim: 64, num_layers: 2, num_attention_heads: 4, num_transformer_submodules: 1,
      prompt_tuning_init: 'TEXT', prompt_tuning_init_text: 'Classify:', tokenizer_name_or_path: 'openai-community/gpt2',
    });
    expect(shapes(q.weights)).toEqual({ prompt_embeddings: [6, 64] });
  });

  it('replaces existing files atomically, leaving no temporary files', async () => {
    const directory = join(scratch, 'atomic');
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'adapter_config.json'), 'old');
    const adapter = createPromptTuning({ model, numVirtualTokens: 2 });
    await saveAdapter({ adapter, directory });
    adapter.dispose();
    expect(readdirSync(directory).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    expect(readFileSync(join(directory, 'adapter_config.json'), 'utf8')).toMatch(/^\{\n {2}"auto_mapping": null,/);
  });
});

describe('reading', () => {
  const loraWeights = (rank: number, drop?: string, reshape?: [string, number[]]) => {
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const layer of [0, 1]) {
      for (const [suffix, shape] of [['lora_A', [rank, 64]], ['lora_B', [192, rank]]] as const) {
        const key = `base_model.model.transformer.h.${layer}.attn.c_attn.${suffix}.weight`;
        const actual = reshape && reshape[0] === key ? reshape[1] : [...shape];
        if (key !== drop) tensors[key] = { shape: actual, data: new Float32Array(actual.reduce((a, b) => a * b, 1)).fill(0.01) };
      }
    }
    return serializeSafetensors(tensors);
  };

  it("PEFT's minimal config loads with PEFT's defaults (r 8, GPT-2 target c_attn)", async () => {
    const adapter = await loadAdapter({ model, source: { config: { peft_type: 'LORA' }, weights: loraWeights(8) } });
    expect(adapter.peftConfig()).toMatchObject({ r: 8, lora_alpha: 8, target_modules: ['c_attn'] });
    adapter.dispose();
  });

  it('unknown fields: one warning listing them all; no leaks', async () => {
    const warnings: string[] = [];
    const before = tf.memory().numTensors;
    const adapter = await loadAdapter({
      model, logger: { warn: (m) => warnings.push(m) },
      source: { config: { peft_type: 'LORA', r: 4, target_modules: ['c_attn'], zeta_option: 1, alpha_option: true }, weights: loraWeights(4) },
    });
    expect(warnings).toEqual(['adapter_config.json: ignoring unknown field(s) alpha_option, zeta_option (written by another PEFT version?)']);
    adapter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('errors name the file, the field or key, and both shapes; nothing leaks on failure', async () => {
    const before = tf.memory().numTensors;
    const load = (config: Record<string, unknown> | string, weights = loraWeights(4)) => loadAdapter({ model, source: { config: config as Record<string, never>, weights }, logger: { warn: () => {} } });
    const base = { peft_type: 'LORA', r: 4, target_modules: ['c_attn'] };
    await expect(load({ r: 4 })).rejects.toThrow('adapter_config.json: missing required field "peft_type"');
    await expect(load({ peft_type: 'IA3' })).rejects.toThrow(/"peft_type" is "IA3"; supported: LORA, PREFIX_TUNING, PROMPT_TUNING/);
    await expect(load('{"peft_type": ')).rejects.toThrow(/adapter_config.json: not valid JSON/);
    await expect(load({ ...base, r: '4' })).rejects.toThrow('adapter_config.json: field "r" must be an integer or null, got "4"');
    await expect(load({ ...base, use_dora: true })).rejects.toThrow(/field "use_dora" = true is not supported/);
    await expect(load(base, loraWeights(4, 'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight')))
      .rejects.toThrow('adapter_model.safetensors: missing tensor "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight" (expected shape [192,4])');
    await expect(load(base, loraWeights(4, undefined, ['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight', [4, 65]])))
      .rejects.toThrow('tensor "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight" has shape [4,65], expected [4,64]');
    const prompt = { peft_type: 'PROMPT_TUNING', num_virtual_tokens: 2, token_dim: 768 };
    await expect(load(prompt, serializeSafetensors({ prompt_embeddings: { shape: [2, 64], data: new Float32Array(128) } })))
      .rejects.toThrow('adapter_config.json: field "token_dim" is 768 but the model has 64');
    await expect(load({ ...prompt, token_dim: 64, num_transformer_submodules: 2 })).rejects.toThrow(/num_transformer_submodules" is 2/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('directories and URLs: clear errors for missing files; URLs load through fetch', async () => {
    await expect(loadAdapter({ model, source: join(scratch, 'nothing-here') })).rejects.toThrow(/adapter_config.json not found/);
    const binOnly = join(scratch, 'bin-only');
    mkdirSync(binOnly, { recursive: true });
    writeFileSync(join(binOnly, 'adapter_config.json'), '{"peft_type": "LORA"}');
    writeFileSync(join(binOnly, 'adapter_model.bin'), '');
    await expect(loadAdapter({ model, source: binOnly })).rejects.toThrow(/only adapter_model.bin is there/);

    const served = new Map<string, Uint8Array | string>([
      ['https://example.test/a/adapter_config.json', '{"peft_type": "LORA", "r": 4}'],
      ['https://example.test/a/adapter_model.safetensors', loraWeights(4)],
    ]);
    const fakeFetch = (async (url: string) => {
      const body = served.get(url);
      return new Response((body ?? 'missing') as BodyInit, { status: body ? 200 : 404 });
    }) as typeof fetch;
    const adapter = await loadAdapter({ model, source: 'https://example.test/a/', fetch: fakeFetch });
    expect(adapter.peftConfig()).toMatchObject({ r: 4 });
    adapter.dispose();
    await expect(loadAdapter({ model, source: 'https://example.test/b', fetch: fakeFetch })).rejects.toThrow('Cannot fetch https://example.test/b/adapter_config.json: HTTP 404');
  });

  it('weights for modules the config does not target are diagnosed as a config mismatch, not as missing extraModules', async () => {
    const adapter = createLoRA({ model, rank: 2, targetModules: ['c_attn', 'c_proj', 'c_fc'] });
    const { directory } = await saved(adapter, 'untargeted');
    adapter.dispose();
    const configPath = join(directory, 'adapter_config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), target_modules: ['c_attn'] }));
    const before = tf.memory().numTensors;
    const error = await loadAdapter({ model, source: directory }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'adapter_config_mismatch' });
    expect((error as Error).message).toMatch(/holds LoRA weights for transformer\.h\.0\.attn\.c_proj, transformer\.h\.0\.mlp\.c_fc, transformer\.h\.0\.mlp\.c_proj, transformer\.h\.1\.attn\.c_proj and \d+ more, which .*adapter_config\.json does not target \(target_modules \["c_attn"\]\)/);
    expect((error as Error).message).not.toMatch(/extraModules/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('modules_to_save: a head is written as base_model.model.score.* and read back into a receiver', async () => {
    const head = { weight: tf.variable(tf.randomNormal([2, 64], 0, 0.1, 'float32', 5)) };
    const headSource = { parameters: () => new Map([['score.weight', head.weight]]) };
    const adapter = createLoRA({ model, rank: 2 });
    const { directory, config, weights } = await saved(adapter, 'with-head', { modulesToSave: { score: headSource }, taskType: 'SEQ_CLS' });
    expect(config).toMatchObject({ modules_to_save: ['score'], task_type: 'SEQ_CLS' });
    expect(shapes(weights)['base_model.model.score.weight']).toEqual([2, 64]);

    const receiver = tf.variable(tf.zeros([2, 64]));
    const loaded = await loadAdapter({ model, source: directory, modulesToSave: { score: { parameters: () => new Map([['weight', receiver]]) } } });
    expect(Array.from(await receiver.data())).toEqual(Array.from(await head.weight.data()));
    const warnings: string[] = [];
    const withoutReceiver = await loadAdapter({ model, source: directory, logger: { warn: (m) => warnings.push(m) } });
    // LoRA on the head, loaded without the head: an error, not a silently different model.
    const headLora = createLoRA({ model, rank: 2, targetModules: ['c_attn', 'score'], extraModules: [{ name: 'score', weight: head.weight, layout: 'out-in' }] });
    await saveAdapter({ adapter: headLora, directory: join(scratch, 'head-lora') });
    headLora.dispose();
    const before = tf.memory().numTensors;
    await expect(loadAdapter({ model, source: join(scratch, 'head-lora') })).rejects.toThrow(/holds LoRA weights for score, which the model does not have\. Pass them as extraModules/);
    expect(tf.memory().numTensors).toBe(before);
    expect(warnings).toEqual([expect.stringMatching(/modules_to_save score not loaded; pass them as modulesToSave/)]);
    tf.dispose([head.weight, receiver]);
    [adapter, loaded, withoutReceiver].forEach((a) => a.dispose());
  });
});
