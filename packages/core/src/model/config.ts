/**
 * GPT-2 hyper-parameters, the published presets, and conversion from/to the
 * Hugging Face `config.json` (`GPT2Config`) layout.
 */
import { InvalidArgumentError, InvalidFileError, UnsupportedError } from '@tunekit/formats';

/** Activation of the MLP. `gelu_new` is the tanh approximation GPT-2 was trained with. */
export type GPT2Activation = 'gelu_new' | 'gelu_pytorch_tanh' | 'gelu';

/** The shape and regularisation of a GPT-2 model. */
export interface GPT2Config {
  /** Vocabulary size (50257 for GPT-2's BPE). */
  vocabSize: number;
  /** Maximum sequence length: rows of the position embedding (`n_positions`). */
  contextLength: number;
  /** Width of the residual stream (`n_embd`). */
  embeddingDim: number;
  /** Number of transformer blocks (`n_layer`). */
  numLayers: number;
  /** Number of attention heads (`n_head`); must divide `embeddingDim`. */
  numHeads: number;
  /** Width of the MLP's hidden layer (`n_inner`, 4 × `embeddingDim` by default). */
  innerDim: number;
  /** MLP activation. */
  activation: GPT2Activation;
  /** Epsilon of every layer norm. */
  layerNormEpsilon: number;
  /** Dropout after token + position embeddings (`embd_pdrop`). */
  embeddingDropout: number;
  /** Dropout on attention probabilities (`attn_pdrop`). */
  attentionDropout: number;
  /** Dropout on each residual branch (`resid_pdrop`). */
  residualDropout: number;
  /** Divide attention scores by (layer index + 1) as well (`scale_attn_by_inverse_layer_idx`). */
  scaleAttentionByLayer: boolean;
  /** Id of `<|endoftext|>`, GPT-2's only special token. */
  eosTokenId: number;
  /**
   * Whether the LM head is `wte` itself (`tie_word_embeddings`). Default true,
   * as in GPT-2 and `transformers`. `false` gives the model a separate output
   * matrix `lm_head.weight` [vocabSize, embeddingDim] that trains on its own,
   * as chapter 7 of LLMs-from-scratch does (its `out_head` starts as a copy of
   * `wte`); it adds vocabSize × embeddingDim parameters and their AdamW state.
   */
  tieWordEmbeddings?: boolean;
}

/** Whether the config's LM head is `wte` (true unless `tieWordEmbeddings` is false). */
export function isTied(config: Pick<GPT2Config, 'tieWordEmbeddings'>): boolean {
  return config.tieWordEmbeddings !== false;
}

/** Names of the four published GPT-2 sizes. */
export type GPT2PresetName = 'gpt2' | 'gpt2-medium' | 'gpt2-large' | 'gpt2-xl';

const GPT2_COMMON = {
  vocabSize: 50257,
  contextLength: 1024,
  activation: 'gelu_new',
  layerNormEpsilon: 1e-5,
  embeddingDropout: 0.1,
  attentionDropout: 0.1,
  residualDropout: 0.1,
  scaleAttentionByLayer: false,
  eosTokenId: 50256,
} as const;

function preset(embeddingDim: number, numLayers: number, numHeads: number): GPT2Config {
  return { ...GPT2_COMMON, embeddingDim, numLayers, numHeads, innerDim: 4 * embeddingDim };
}

/** The published configurations: 124M, 355M, 774M and 1558M parameters. */
export const GPT2_PRESETS: Readonly<Record<GPT2PresetName, Readonly<GPT2Config>>> = {
  gpt2: preset(768, 12, 12),
  'gpt2-medium': preset(1024, 24, 16),
  'gpt2-large': preset(1280, 36, 20),
  'gpt2-xl': preset(1600, 48, 25),
};

/**
 * Builds a config from a preset name or from explicit fields; unspecified
 * fields take GPT-2 small's values. The result is validated.
 */
export function gpt2Config(base: GPT2PresetName | Partial<GPT2Config> = 'gpt2', options: Partial<GPT2Config> = {}): GPT2Config {
  const overrides = options;
  const start = typeof base === 'string' ? GPT2_PRESETS[base] : { ...GPT2_PRESETS.gpt2, ...base };
  if (start === undefined) {
    throw new InvalidArgumentError(`Unknown GPT-2 preset "${String(base)}"; known: ${Object.keys(GPT2_PRESETS).join(', ')}`, { fix: 'Pass one of those names, or a Partial<GPT2Config> object for a custom size.' });
  }
  const merged = { ...start, ...overrides };
  // innerDim follows embeddingDim unless given explicitly.
  const explicitInner = (typeof base === 'object' && base.innerDim !== undefined) || overrides.innerDim !== undefined;
  if (!explicitInner) merged.innerDim = 4 * merged.embeddingDim;
  validateConfig(merged);
  return merged;
}

/** Throws an error naming the field when a config is inconsistent. */
export function validateConfig(config: GPT2Config): void {
  const positive: (keyof GPT2Config)[] = ['vocabSize', 'contextLength', 'embeddingDim', 'numLayers', 'numHeads', 'innerDim'];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(`GPT2Config.${key} must be a positive integer, got ${String(value)}`, { fix: `Set ${key} to a whole number ≥ 1 (gpt2 uses ${String(GPT2_PRESETS.gpt2[key])}).` });
    }
  }
  if (config.embeddingDim % config.numHeads !== 0) {
    throw new InvalidArgumentError(`GPT2Config.embeddingDim (${config.embeddingDim}) must be divisible by numHeads (${config.numHeads})`, { fix: 'Pick numHeads that divides embeddingDim (gpt2: 768 / 12 heads).' });
  }
  for (const key of ['embeddingDropout', 'attentionDropout', 'residualDropout'] as const) {
    if (!(config[key] >= 0 && config[key] < 1)) throw new InvalidArgumentError(`GPT2Config.${key} must be in [0, 1), got ${config[key]}`, { fix: `Set ${key} to a probability such as 0.1, or 0 for none.` });
  }
  if (config.tieWordEmbeddings !== undefined && typeof config.tieWordEmbeddings !== 'boolean') {
    throw new InvalidArgumentError(`GPT2Config.tieWordEmbeddings must be a boolean, got ${String(config.tieWordEmbeddings)}`, { fix: 'Set tieWordEmbeddings to true or false, or leave it out (true, as GPT-2).' });
  }
  if (!(config.layerNormEpsilon > 0)) throw new InvalidArgumentError(`GPT2Config.layerNormEpsilon must be > 0, got ${config.layerNormEpsilon}`, { fix: 'Set layerNormEpsilon to a small positive number (GPT-2 uses 1e-5).' });
  if (!['gelu_new', 'gelu_pytorch_tanh', 'gelu'].includes(config.activation)) {
    throw new InvalidArgumentError(`GPT2Config.activation "${config.activation}" is not supported (gelu_new, gelu_pytorch_tanh, gelu)`, { fix: 'Set activation to one of those (GPT-2 uses gelu_new).' });
  }
}

/** The subset of Hugging Face's `GPT2Config` JSON that GPT-2 needs. */
export interface HFGPT2ConfigJSON {
  model_type?: string;
  vocab_size?: number;
  n_positions?: number;
  n_ctx?: number;
  n_embd?: number;
  n_layer?: number;
  n_head?: number;
  n_inner?: number | null;
  activation_function?: string;
  layer_norm_epsilon?: number;
  embd_pdrop?: number;
  attn_pdrop?: number;
  resid_pdrop?: number;
  scale_attn_by_inverse_layer_idx?: boolean;
  eos_token_id?: number;
  tie_word_embeddings?: boolean;
  [key: string]: unknown;
}

/**
 * Reads a Hugging Face `config.json` (object or JSON text). Missing fields take
 * the defaults of `transformers.GPT2Config`, as transformers itself does.
 * @param source - the parsed object or its JSON text
 * @param options - `origin`: where it came from, used in error messages (default `config.json`)
 */
export function fromHFConfig(source: HFGPT2ConfigJSON | string, options: { origin?: string } = {}): GPT2Config {
  const origin = options.origin ?? 'config.json';
  let json: HFGPT2ConfigJSON;
  try {
    json = typeof source === 'string' ? (JSON.parse(source) as HFGPT2ConfigJSON) : source;
  } catch (error) {
    throw new InvalidFileError(`${origin}: not valid JSON (${(error as Error).message})`, { fix: 'Check that the file is a complete config.json (re-download it if it was cut short).' });
  }
  if (json === null || typeof json !== 'object') throw new InvalidFileError(`${origin}: expected a JSON object`, { fix: 'The file must hold one JSON object with the GPT-2 fields (n_embd, n_layer, n_head, …).' });
  if (json.model_type !== undefined && json.model_type !== 'gpt2') {
    throw new UnsupportedError(`${origin}: model_type is "${json.model_type}", only "gpt2" is supported`, { fix: 'Use a GPT-2 checkpoint (model_type "gpt2"), e.g. openai-community/gpt2 or a fine-tune of it.' });
  }
  const embeddingDim = json.n_embd ?? 768;
  const activation = json.activation_function ?? 'gelu_new';
  const config: GPT2Config = {
    vocabSize: json.vocab_size ?? 50257,
    contextLength: json.n_positions ?? 1024,
    embeddingDim,
    numLayers: json.n_layer ?? 12,
    numHeads: json.n_head ?? 12,
    innerDim: json.n_inner ?? 4 * embeddingDim,
    activation: activation as GPT2Activation,
    layerNormEpsilon: json.layer_norm_epsilon ?? 1e-5,
    embeddingDropout: json.embd_pdrop ?? 0.1,
    attentionDropout: json.attn_pdrop ?? 0.1,
    residualDropout: json.resid_pdrop ?? 0.1,
    scaleAttentionByLayer: json.scale_attn_by_inverse_layer_idx ?? false,
    eosTokenId: json.eos_token_id ?? 50256,
  };
  // Only set when not the default (true), so a tied config equals the presets;
  // anything but a boolean is left for validateConfig to refuse.
  if (json.tie_word_embeddings !== undefined && json.tie_word_embeddings !== true) config.tieWordEmbeddings = json.tie_word_embeddings;
  try {
    validateConfig(config);
  } catch (error) {
    throw new InvalidFileError(`${origin}: ${(error as Error).message}`, { fix: 'Correct that field in the config.json, or re-download the checkpoint.' });
  }
  return config;
}

/** Writes a config in Hugging Face's `config.json` layout (loadable by transformers). */
export function toHFConfig(config: GPT2Config): HFGPT2ConfigJSON {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: config.vocabSize,
    n_positions: config.contextLength,
    n_ctx: config.contextLength,
    n_embd: config.embeddingDim,
    n_layer: config.numLayers,
    n_head: config.numHeads,
    n_inner: config.innerDim === 4 * config.embeddingDim ? null : config.innerDim,
    activation_function: config.activation,
    layer_norm_epsilon: config.layerNormEpsilon,
    embd_pdrop: config.embeddingDropout,
    attn_pdrop: config.attentionDropout,
    resid_pdrop: config.residualDropout,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: config.scaleAttentionByLayer,
    tie_word_embeddings: isTied(config),
    bos_token_id: config.eosTokenId,
    eos_token_id: config.eosTokenId,
    torch_dtype: 'float32',
  };
}

/** Number of parameters of a model with this config (a tied LM head counted once, an untied one adds vocabSize × embeddingDim). */
export function countParameters(config: GPT2Config): number {
  const { vocabSize: V, contextLength: P, embeddingDim: C, innerDim: F, numLayers: L } = config;
  const block = 2 * 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + (C * F + F) + (F * C + C);
  const outputHead = isTied(config) ? 0 : V * C;
  return V * C + P * C + L * block + 2 * C + outputHead;
}
