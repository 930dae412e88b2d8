/**
 * Saving and loading adapters in Python PEFT's layout: `adapter_config.json`
 * + `adapter_model.safetensors`, with PEFT's key names and shapes for GPT-2,
 * so that `PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained('gpt2'), dir)`
 * loads what we save and we load what it saves.
 */
import { InvalidArgumentError, InvalidFileError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { TunekitError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';
import type { GPT2Model } from '../model/gpt2-model';
import type { ParameterSource } from '../model/parameter-source';
import { loraModuleOfKey, PROMPT_EMBEDDINGS_KEY } from './peft-keys';
import { joinPath } from '../io/join-path';
import { type DecodedTensor, parseSafetensors, serializeSafetensors, type TensorToWrite } from '../io/safetensors';
import { resolveFiles } from '../backend/default-backend';
import type { Adapter, PEFTConfigJSON } from './adapter';
import { AdapterSet } from './adapter-set';
import { type LinearModule, LoRAAdapter } from './lora';
import { type AdapterLogger, buildPEFTConfig, type ParsedPEFTConfig, type PEFTFileInfo, parsePEFTConfig, stringifyPEFTConfig } from './peft-config';
import { PrefixTuningAdapter } from './prefix-tuning';
import { PromptTuningAdapter } from './prompt-tuning';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, moduleTensorKeys, readAdapterFiles } from './peft-files';

/** Options of {@link saveAdapter}. */
export interface SaveAdapterOptions extends Omit<PEFTFileInfo, 'modulesToSave'> {
  /** The adapter, or an {@link AdapterSet} (its one active adapter, or the one called `name`). */
  adapter: Adapter | AdapterSet;
  /** Which adapter of a set to save. */
  name?: string;
  /** Directory to write into (created if missing). */
  directory: string;
  /**
   * Modules saved whole (PEFT's `modules_to_save`), by module name, e.g.
   * `{ score: head }`: each parameter is written as `base_model.model.score.{weight|bias}`
   * (`base_model.score.…` for prompt learning), in the source's own layout.
   */
  modulesToSave?: Record<string, ParameterSource>;
  /** File access (default: the active backend's, else Node's file system). */
  files?: FileIO;
}

/** Options of {@link loadAdapter}. */
export interface LoadAdapterOptions {
  /** The model the adapter was trained on; shapes are checked against it. */
  model: GPT2Model;
  /** A directory or `http(s)` base URL holding the two files, or both files in memory. */
  source: string | URL | { config: string | PEFTConfigJSON; weights: Uint8Array };
  /** Linear maps outside the model that a LoRA adapter may target (a head such as `score`). */
  extraModules?: LinearModule[];
  /** Receivers of the file's `modules_to_save` tensors, by module name (e.g. `{ score: head }`). */
  modulesToSave?: Record<string, ParameterSource>;
  /** Where warnings go (unknown config fields, unused tensors). Default `console`. */
  logger?: AdapterLogger;
  /** File access for directories. */
  files?: FileIO;
  /** `fetch` for URLs (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * Writes `adapter_config.json` and `adapter_model.safetensors` into
 * `directory`, each atomically (temporary file + rename).
 *
 * @example
 * ```ts
 * await saveAdapter({ adapter: peft, directory: './out/lora', baseModelNameOrPath: 'openai-community/gpt2' });
 * ```
 */
export async function saveAdapter(options: SaveAdapterOptions): Promise<void> {
  const adapter = pickAdapter(options.adapter, options.name);
  const files = resolveFiles(options.files, 'model' in options.adapter ? options.adapter.model.backend : undefined);
  const tensors = await adapter.peftTensors();
  const modules = options.modulesToSave ?? {};
  for (const [module, source] of Object.entries(modules)) {
    for (const [key, variable] of moduleTensorKeys(adapter.peftType, module, source)) {
      tensors.set(key, { shape: [...variable.shape], data: (await variable.data()) as Float32Array } satisfies TensorToWrite);
    }
  }
  const config = buildPEFTConfig(adapter, { ...options, modulesToSave: Object.keys(modules) });
  await files.makeDirectory(options.directory);
  await files.writeFileAtomic(joinPath(options.directory, ADAPTER_WEIGHTS_FILE), serializeSafetensors(tensors, { metadata: { format: 'pt' } }));
  await files.writeFileAtomic(joinPath(options.directory, ADAPTER_CONFIG_FILE), stringifyPEFTConfig(config));
}

/**
 * Loads a PEFT adapter for `model` (not yet applied: pass it to
 * {@link applyAdapter}). Unknown config fields give one warning; a missing
 * `peft_type`, a missing or mis-shaped tensor, or a model mismatch is an error
 * naming the file, the key and both shapes. A prefix saved with
 * `prefix_projection` holds the MLP's output, so it loads as a plain
 * (non-projected) prefix with the same values.
 *
 * @example
 * ```ts
 * const adapter = await loadAdapter({ model, source: './out/lora' });
 * applyAdapter({ model, adapter });
 * ```
 */
export async function loadAdapter(options: LoadAdapterOptions): Promise<Adapter> {
  const { model } = options;
  const logger = options.logger ?? console;
  const read = await readAdapterFiles(options.source, options.files ?? options.model.backend?.backend.files, options.fetch ?? fetch);
  const parsed = parsePEFTConfig(read.config, { origin: read.configOrigin, logger });
  const tensors = parseSafetensors(read.weights, { origin: read.weightsOrigin }).tensors;
  const used = new Set<string>();
  const take = (key: string, shape: number[]): Float32Array => {
    const tensor = tensors.get(key);
    if (!tensor) throw new InvalidFileError(`${read.weightsOrigin}: missing tensor "${key}" (expected shape [${shape}])`, { fix: 'Use the adapter_model.safetensors saved with this adapter_config.json; re-save the adapter if the file is incomplete.' });
    checkTensor(tensor, shape, read.weightsOrigin);
    used.add(key);
    return tensor.data as Float32Array;
  };

  const adapter = buildAdapter(model, parsed, take, options.extraModules, read.configOrigin);
  try {
    for (const [module, source] of Object.entries(options.modulesToSave ?? {})) {
      for (const [key, variable] of moduleTensorKeys(parsed.peftType, module, source)) {
        const values = take(key, [...variable.shape]);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      }
    }
    const missingReceivers = (parsed.modulesToSave ?? []).filter((m) => !(options.modulesToSave && m in options.modulesToSave));
    if (missingReceivers.length) logger.warn(`${read.configOrigin}: modules_to_save ${missingReceivers.join(', ')} not loaded; pass them as modulesToSave to load their weights`);
    const unused = [...tensors.keys()].filter((key) => !used.has(key) && !missingReceivers.some((m) => key.includes(`.${m}.`)));
    // LoRA weights of a module we do not have (a head not passed in extraModules) would silently change the results.
    const unadapted = [...new Set(unused.map(loraModuleOfKey).filter((m): m is string => m !== undefined))];
    if (unadapted.length) throw unadaptedError(unadapted, model, options.extraModules ?? [], parsed, read);
    if (unused.length) logger.warn(`${read.weightsOrigin}: ignoring tensor(s) the config does not use: ${unused.join(', ')}`);
  } catch (error) {
    adapter.dispose();
    throw error;
  }
  return adapter;
}

/**
 * LoRA weights that were not loaded, diagnosed: a module the model has but
 * the config's `target_modules` does not name (a config that does not match
 * its weights), or a module the model lacks (a head not passed as extraModules).
 */
function unadaptedError(modules: string[], model: GPT2Model, extraModules: readonly LinearModule[], parsed: ParsedPEFTConfig, read: { weightsOrigin: string; configOrigin: string }): TunekitError {
  const gpt2Module = /^transformer\.h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)$/;
  const has = (key: string) => extraModules.some((m) => m.name === key) || Number(gpt2Module.exec(key)?.[1] ?? Infinity) < model.config.numLayers;
  const untargeted = modules.filter(has);
  if (untargeted.length) {
    const targets = parsed.peftType === 'LORA' ? JSON.stringify(parsed.lora.targetModules) : 'its target_modules';
    return new TunekitError('adapter_config_mismatch', `${read.weightsOrigin}: holds LoRA weights for ${listModules(untargeted)}, which ${read.configOrigin} does not target (target_modules ${targets}), so they would be ignored.`, {
      fix: 'Add those modules to target_modules in the adapter config (the config that trained them must have had them), or remove their weights.',
    });
  }
  return new TunekitError('adapter_module_missing', `${read.weightsOrigin}: holds LoRA weights for ${listModules(modules)}, which the model does not have.`, {
    fix: 'Pass them as extraModules (e.g. head.linearModule()).',
  });
}

function listModules(modules: readonly string[]): string {
  return modules.length > 4 ? `${modules.slice(0, 4).join(', ')} and ${modules.length - 4} more` : modules.join(', ');
}

function buildAdapter(model: GPT2Model, parsed: ParsedPEFTConfig, take: (key: string, shape: number[]) => Float32Array, extraModules: LinearModule[] | undefined, origin: string): Adapter {
  if (parsed.peftType === 'LORA') return new LoRAAdapter(model, parsed.lora, extraModules, take);
  const { embeddingDim: C, numLayers, numHeads } = model.config;
  const expect = (field: string, value: number | null, actual: number) => {
    if (value !== null && value !== actual) throw new InvalidFileError(`${origin}: field "${field}" is ${value} but the model has ${actual}`, { fix: 'Load the adapter onto the base model it was trained for (same size and vocabulary).' });
  };
  expect('token_dim', parsed.shape.tokenDim, C);
  expect('num_layers', parsed.shape.numLayers, numLayers);
  expect('num_attention_heads', parsed.shape.numAttentionHeads, numHeads);
  if (parsed.peftType === 'PREFIX_TUNING') {
    const P = parsed.prefix.numVirtualTokens;
    const values = take(PROMPT_EMBEDDINGS_KEY, [P, numLayers * 2 * C]);
    return new PrefixTuningAdapter(model, { ...parsed.prefix, prefixProjection: false }, values);
  }
  const values = take(PROMPT_EMBEDDINGS_KEY, [parsed.prompt.numVirtualTokens, C]);
  return new PromptTuningAdapter(model, parsed.prompt, values);
}

function checkTensor(tensor: DecodedTensor, shape: number[], origin: string): void {
  if (tensor.data instanceof Int32Array) throw new InvalidFileError(`${origin}: tensor "${tensor.name}" is ${tensor.dtype}; expected a floating-point tensor`, { fix: 'Re-save the adapter in float32 (PEFT save_pretrained does by default).' });
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new InvalidFileError(`${origin}: tensor "${tensor.name}" has shape [${tensor.shape}], expected [${shape}]`, { fix: 'Load the adapter onto the base model it was trained for, with its own adapter_config.json.' });
  }
}

function pickAdapter(source: Adapter | AdapterSet, name: string | undefined): Adapter {
  if (!(source instanceof AdapterSet)) return source;
  if (name) return source.get(name);
  const active = source.active;
  if (active.length !== 1) throw new InvalidArgumentError(`saveAdapter: the set has ${active.length} active adapters (${active.join(', ')});`, { fix: 'pass name' });
  return source.get(active[0] as string);
}
