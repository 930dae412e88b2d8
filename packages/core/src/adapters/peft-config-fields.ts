/**
 * The fields of PEFT's config dataclasses, with their defaults, as
 * `huggingface/peft` v0.20.0 defines them (`src/peft/config.py`,
 * `tuners/{lora,prefix_tuning,prompt_tuning}/config.py`). PEFT saves
 * `asdict(config)`, so every field appears in `adapter_config.json`.
 */
import type { PEFTConfigJSON, PEFTType } from './adapter';

/** The PEFT release whose config layout tunekit writes (PEFT records the writer's version here). */
export const PEFT_FORMAT_VERSION = '0.20.0';

/** `PeftConfigMixin` and `PeftConfig` fields. */
const BASE_FIELDS: PEFTConfigJSON = {
  auto_mapping: null,
  base_model_name_or_path: null,
  inference_mode: false,
  peft_type: null,
  peft_version: null,
  revision: null,
  task_type: null,
};

/** `LoRAConfig` fields (v0.20.0), except `runtime_config`, which PEFT never saves. */
const LORA_FIELDS: PEFTConfigJSON = {
  alora_invocation_tokens: null,
  alpha_pattern: {},
  arrow_config: null,
  bias: 'none',
  corda_config: null,
  ensure_weight_tying: false,
  eva_config: null,
  exclude_modules: null,
  fan_in_fan_out: false,
  init_lora_weights: true,
  layer_replication: null,
  layers_pattern: null,
  layers_to_transform: null,
  loftq_config: {},
  lora_alpha: 8,
  lora_bias: false,
  lora_dropout: 0,
  lora_ga_config: null,
  megatron_config: null,
  megatron_core: 'megatron.core',
  modules_to_save: null,
  monteclora_config: null,
  qalora_group_size: 16,
  r: 8,
  rank_pattern: {},
  target_modules: null,
  target_parameters: null,
  trainable_token_indices: null,
  use_bdlora: null,
  use_dora: false,
  use_qalora: false,
  use_rslora: false,
  velora_config: null,
};

/** `PromptLearningConfig` fields, shared by prefix and prompt tuning. */
const PROMPT_LEARNING_FIELDS: PEFTConfigJSON = {
  modules_to_save: null,
  num_attention_heads: null,
  num_layers: null,
  num_transformer_submodules: null,
  num_virtual_tokens: null,
  token_dim: null,
};

/** `PrefixTuningConfig`'s own fields. */
const PREFIX_FIELDS: PEFTConfigJSON = { encoder_hidden_size: null, init_weights: null, prefix_projection: false };

/** `PromptTuningConfig`'s own fields. */
const PROMPT_FIELDS: PEFTConfigJSON = {
  prompt_tuning_init: 'RANDOM',
  prompt_tuning_init_text: null,
  tokenizer_kwargs: null,
  tokenizer_name_or_path: null,
};

/** Fields newer PEFT versions know that we read but never write. */
const READ_ONLY_FIELDS: Record<PEFTType, string[]> = {
  LORA: ['runtime_config', 'kasa_config'],
  PREFIX_TUNING: [],
  PROMPT_TUNING: [],
};

/** Every field of a PEFT type with its default, as PEFT would write a default config. */
export function peftFieldDefaults(type: PEFTType): PEFTConfigJSON {
  switch (type) {
    case 'LORA':
      return { ...BASE_FIELDS, ...LORA_FIELDS };
    case 'PREFIX_TUNING':
      return { ...BASE_FIELDS, ...PROMPT_LEARNING_FIELDS, ...PREFIX_FIELDS };
    case 'PROMPT_TUNING':
      return { ...BASE_FIELDS, ...PROMPT_LEARNING_FIELDS, ...PROMPT_FIELDS };
  }
}

/** Names of the fields a PEFT type's config may carry. */
export function knownPeftFields(type: PEFTType): Set<string> {
  return new Set([...Object.keys(peftFieldDefaults(type)), ...READ_ONLY_FIELDS[type]]);
}
