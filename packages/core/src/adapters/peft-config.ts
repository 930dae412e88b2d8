/**
 * `adapter_config.json`: written as PEFT writes it (every field, sorted keys,
 * two-space indent) and read as PEFT reads it (only `peft_type` is required;
 * unknown fields are ignored with one warning). Fields that would change the
 * computation in ways tunekit does not implement are errors, not silent.
 */
import { InvalidFileError } from '@tunekit/formats';
import type { Adapter, PEFTConfigJSON, PEFTConfigValue, PEFTType } from './adapter';
import type { LoRAConfig, LoRAInit } from './lora-config';
import { knownPeftFields, PEFT_FORMAT_VERSION, peftFieldDefaults } from './peft-config-fields';
import type { PrefixTuningConfig } from './prefix-tuning';
import type { PromptTuningConfig, PromptTuningInit } from './prompt-tuning';

/** File-level `adapter_config.json` fields that do not depend on the method. */
export interface PEFTFileInfo {
  /** `task_type`: `CAUSAL_LM` (default), `SEQ_CLS`, … */
  taskType?: string | null;
  /** `base_model_name_or_path`, e.g. `openai-community/gpt2`. */
  baseModelNameOrPath?: string | null;
  /** `revision` of the base model. */
  revision?: string | null;
  /** `modules_to_save`: modules saved whole (a classification head: `['score']`). */
  modulesToSave?: string[] | null;
}

/** Where warnings go (default `console`). */
export interface AdapterLogger {
  warn(message: string): void;
}

/** A parsed `adapter_config.json`. Model-shape fields are checked against the model when loading. */
export type ParsedPEFTConfig = PEFTFileInfo & { raw: PEFTConfigJSON } & (
  | { peftType: 'LORA'; lora: LoRAConfig }
  | { peftType: 'PREFIX_TUNING'; prefix: PrefixTuningConfig; shape: PromptLearningShape }
  | { peftType: 'PROMPT_TUNING'; prompt: PromptTuningConfig; shape: PromptLearningShape }
);

/** `token_dim`, `num_layers`, `num_attention_heads`, `num_transformer_submodules` as written (null when absent). */
export interface PromptLearningShape {
  tokenDim: number | null;
  numLayers: number | null;
  numAttentionHeads: number | null;
  numTransformerSubmodules: number | null;
}

const SUPPORTED: PEFTType[] = ['LORA', 'PREFIX_TUNING', 'PROMPT_TUNING'];

/** The full `adapter_config.json` object for an adapter, as PEFT's `save_pretrained` writes it. */
export function buildPEFTConfig(adapter: Adapter, options: PEFTFileInfo = {}): PEFTConfigJSON {
  const info = options;
  return {
    ...peftFieldDefaults(adapter.peftType),
    ...adapter.peftConfig(),
    base_model_name_or_path: info.baseModelNameOrPath ?? null,
    revision: info.revision ?? null,
    task_type: info.taskType ?? 'CAUSAL_LM',
    modules_to_save: info.modulesToSave && info.modulesToSave.length ? [...info.modulesToSave] : null,
    // PEFT's save_pretrained sets inference_mode before writing.
    inference_mode: true,
    peft_version: PEFT_FORMAT_VERSION,
  };
}

/** Python's `json.dumps(config, indent=2, sort_keys=True)` layout. */
export function stringifyPEFTConfig(config: PEFTConfigJSON): string {
  const sortKeys = (value: PEFTConfigValue): PEFTConfigValue => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key] as PEFTConfigValue)]));
    }
    return value;
  };
  return JSON.stringify(sortKeys(config), null, 2);
}

/** Reads and checks an `adapter_config.json`; errors name `origin` and the field. */
export function parsePEFTConfig(source: string | PEFTConfigJSON, options: { origin?: string; logger?: AdapterLogger } = {}): ParsedPEFTConfig {
  const { origin = 'adapter_config.json', logger = console } = options;
  let json: unknown = source;
  if (typeof source === 'string') {
    try {
      json = JSON.parse(source);
    } catch (error) {
      throw new InvalidFileError(`${origin}: not valid JSON (${(error as Error).message})`, { fix: 'Check that the file is a complete adapter_config.json (re-download or re-save it).' });
    }
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new InvalidFileError(`${origin}: expected a JSON object`, { fix: 'The file must hold one JSON object, as PEFT save_pretrained writes it.' });
  const raw = json as PEFTConfigJSON;
  if (!('peft_type' in raw)) throw new InvalidFileError(`${origin}: missing required field "peft_type"`, { fix: 'Add peft_type (LORA, PREFIX_TUNING or PROMPT_TUNING), or point at the adapter_config.json PEFT saved.' });
  const peftType = raw.peft_type as PEFTType;
  if (!SUPPORTED.includes(peftType)) throw new InvalidFileError(`${origin}: field "peft_type" is ${JSON.stringify(raw.peft_type)}; supported: ${SUPPORTED.join(', ')}`, { fix: 'Use an adapter of a supported type, or retrain it as one of those.' });
  const known = knownPeftFields(peftType);
  const unknown = Object.keys(raw).filter((key) => !known.has(key)).sort();
  if (unknown.length) logger.warn(`${origin}: ignoring unknown field(s) ${unknown.join(', ')} (written by another PEFT version?)`);

  const f = new FieldReader(raw, origin);
  const info: PEFTFileInfo = {
    taskType: f.optionalString('task_type'),
    baseModelNameOrPath: f.optionalString('base_model_name_or_path'),
    revision: f.optionalString('revision'),
    modulesToSave: f.optionalStringList('modules_to_save'),
  };
  if (peftType === 'LORA') return { ...info, raw, peftType, lora: readLora(f, origin, logger) };
  const shape: PromptLearningShape = {
    tokenDim: f.optionalInteger('token_dim'),
    numLayers: f.optionalInteger('num_layers'),
    numAttentionHeads: f.optionalInteger('num_attention_heads'),
    numTransformerSubmodules: f.optionalInteger('num_transformer_submodules'),
  };
  if (shape.numTransformerSubmodules !== null && shape.numTransformerSubmodules !== 1) {
    throw new InvalidFileError(`${origin}: field "num_transformer_submodules" is ${shape.numTransformerSubmodules}; GPT-2 is decoder-only (1)`, { fix: 'Set num_transformer_submodules to 1 (or remove it): the adapter must be made for a decoder-only model.' });
  }
  const numVirtualTokens = f.requiredInteger('num_virtual_tokens');
  if (peftType === 'PREFIX_TUNING') {
    const initWeights = f.optionalString('init_weights');
    if (initWeights !== null && initWeights !== 'zero') throw new InvalidFileError(`${origin}: field "init_weights" must be "zero" or null, got ${JSON.stringify(initWeights)}`, { fix: 'Set init_weights to "zero" or null, or remove it.' });
    const prefix: PrefixTuningConfig = {
      numVirtualTokens,
      prefixProjection: f.boolean('prefix_projection', false),
      encoderHiddenSize: f.optionalInteger('encoder_hidden_size') ?? undefined,
      init: initWeights === 'zero' ? 'zero' : 'random',
      seed: 0,
    };
    return { ...info, raw, peftType, prefix, shape };
  }
  let init = (f.optionalString('prompt_tuning_init') ?? 'RANDOM') as PromptTuningInit;
  if (!['RANDOM', 'TEXT', 'SAMPLE_VOCAB'].includes(init)) {
    logger.warn(`${origin}: prompt_tuning_init ${JSON.stringify(init)} is unknown; it only affects initialisation, the saved embeddings are used`);
    init = 'RANDOM';
  }
  const prompt: PromptTuningConfig = {
    numVirtualTokens,
    init,
    initText: f.optionalString('prompt_tuning_init_text') ?? undefined,
    tokenizerNameOrPath: f.optionalString('tokenizer_name_or_path') ?? undefined,
    seed: 0,
  };
  return { ...info, raw, peftType, prompt, shape };
}

/** LoRA features that change the computation and that tunekit does not implement. */
const UNSUPPORTED_LORA: [field: string, isDefault: (value: PEFTConfigValue) => boolean][] = [
  ['use_dora', (v) => v === false],
  ['use_qalora', (v) => v === false],
  ['lora_bias', (v) => v === false],
  ['bias', (v) => v === 'none'],
  ['rank_pattern', isEmpty],
  ['alpha_pattern', isEmpty],
  ['exclude_modules', isEmpty],
  ['layer_replication', isEmpty],
  ['trainable_token_indices', isEmpty],
  ['target_parameters', isEmpty],
  ['alora_invocation_tokens', isEmpty],
  ['use_bdlora', isEmpty],
  ['arrow_config', isEmpty],
  ['kasa_config', isEmpty],
  ['monteclora_config', isEmpty],
];

function readLora(f: FieldReader, origin: string, logger: AdapterLogger): LoRAConfig {
  for (const [field, isDefault] of UNSUPPORTED_LORA) {
    if (field in f.raw && !isDefault(f.raw[field] as PEFTConfigValue)) {
      throw new InvalidFileError(`${origin}: field "${field}" = ${JSON.stringify(f.raw[field])} is not supported by tunekit's LoRA`, { fix: `Remove "${field}" from the config or set it to PEFT's default, and retrain the adapter without it.` });
    }
  }
  const rank = f.optionalInteger('r') ?? 8;
  if (rank <= 0) throw new InvalidFileError(`${origin}: field "r" must be a positive integer, got ${rank}`, { fix: 'Set r to the rank the adapter was trained with (a whole number ≥ 1; PEFT uses 8).' });
  const dropout = f.number('lora_dropout', 0);
  if (!(dropout >= 0 && dropout < 1)) throw new InvalidFileError(`${origin}: field "lora_dropout" must be in [0, 1), got ${dropout}`, { fix: 'Set lora_dropout to a probability such as 0.05, or 0.' });
  const targets = f.raw.target_modules;
  let targetModules: string[] | string = ['c_attn']; // PEFT's default for GPT-2
  if (typeof targets === 'string') targetModules = targets;
  else if (targets !== null && targets !== undefined) targetModules = f.optionalStringList('target_modules') as string[];
  const rawInit = f.raw.init_lora_weights ?? true;
  let init: LoRAInit = 'kaiming';
  if (rawInit === false) init = 'random';
  else if (rawInit === 'gaussian') init = 'gaussian';
  else if (rawInit !== true) logger.warn(`${origin}: init_lora_weights ${JSON.stringify(rawInit)} only affects initialisation; the saved weights are used as they are`);
  const layers = f.raw.layers_to_transform;
  if (layers !== null && layers !== undefined && !(Number.isInteger(layers) || (Array.isArray(layers) && layers.every(Number.isInteger)))) {
    throw new InvalidFileError(`${origin}: field "layers_to_transform" must be an integer or a list of integers, got ${JSON.stringify(layers)}`, { fix: 'Write layers_to_transform as a layer index or a list of indices, or remove it to adapt every layer.' });
  }
  const pattern = f.raw.layers_pattern;
  if (pattern !== null && pattern !== undefined && typeof pattern !== 'string' && !Array.isArray(pattern)) {
    throw new InvalidFileError(`${origin}: field "layers_pattern" must be a string or a list of strings`, { fix: 'Write layers_pattern as a string such as "h", or remove it.' });
  }
  return {
    rank,
    alpha: f.number('lora_alpha', 8),
    dropout,
    targetModules,
    useRslora: f.boolean('use_rslora', false),
    layersToTransform: (layers ?? undefined) as number[] | number | undefined,
    layersPattern: (pattern ?? undefined) as string[] | string | undefined,
    init,
    seed: 0,
  };
}

function isEmpty(value: PEFTConfigValue): boolean {
  if (value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Typed access to config fields with errors that name the file and the field. */
class FieldReader {
  constructor(readonly raw: PEFTConfigJSON, private readonly origin: string) {}

  private fail(field: string, expected: string): never {
    throw new InvalidFileError(`${this.origin}: field "${field}" must be ${expected}, got ${JSON.stringify(this.raw[field])}`, { fix: `Correct "${field}" in ${this.origin}, or re-save the adapter with PEFT.` });
  }

  optionalString(field: string): string | null {
    const value = this.raw[field];
    if (value === undefined || value === null) return null;
    return typeof value === 'string' ? value : this.fail(field, 'a string or null');
  }

  optionalStringList(field: string): string[] | null {
    const value = this.raw[field];
    if (value === undefined || value === null) return null;
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : this.fail(field, 'a list of strings or null');
  }

  optionalInteger(field: string): number | null {
    const value = this.raw[field];
    if (value === undefined || value === null) return null;
    return Number.isInteger(value) ? (value as number) : this.fail(field, 'an integer or null');
  }

  requiredInteger(field: string): number {
    const value = this.optionalInteger(field);
    return value !== null && value > 0 ? value : this.fail(field, 'a positive integer');
  }

  number(field: string, fallback: number): number {
    const value = this.raw[field];
    if (value === undefined || value === null) return fallback;
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(field, 'a number');
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.raw[field];
    if (value === undefined || value === null) return fallback;
    return typeof value === 'boolean' ? value : this.fail(field, 'true or false');
  }
}
