/**
 * The tensor keys of PEFT's `adapter_model.safetensors`, written once for
 * loading and saving alike. PEFT wraps the transformers model differently per
 * method: LoRA as `base_model.model.{module}` (a `LoraModel` around the
 * model), prompt learning as `base_model.{module}` (the model itself), and a
 * prompt-learning adapter's own tensor is `prompt_embeddings`.
 */
import type { LinearName } from '../model/hooks';
import type { PEFTType } from './adapter';

/** The one tensor of a prompt- or prefix-tuning file: the virtual tokens (for prefix tuning, every layer's keys and values). */
export const PROMPT_EMBEDDINGS_KEY = 'prompt_embeddings';

/** Prefix tuning's MLP (`prefix_projection`), by PEFT's in-memory module names; PEFT saves only its output. */
export const PREFIX_ENCODER_KEYS = {
  embedding: 'prompt_encoder.embedding.weight',
  w1: 'prompt_encoder.transform.0.weight',
  b1: 'prompt_encoder.transform.0.bias',
  w2: 'prompt_encoder.transform.2.weight',
  b2: 'prompt_encoder.transform.2.bias',
} as const;

/** The prefix of every file key of a model module: PEFT's wrapping of the transformers model for `peftType`. */
function basePrefix(peftType: PEFTType): string {
  return peftType === 'LORA' ? 'base_model.model.' : 'base_model.';
}

/** The transformers module name of a map (`transformer.h.0.attn.c_attn`); a head's name (`score`) as it is. */
export function peftModuleKey(name: LinearName): string {
  return /^h\.\d+\./.test(name) ? `transformer.${name}` : name;
}

/** File key of LoRA's A or B matrix for a module: `base_model.model.{module}.lora_{A|B}.weight`. */
export function loraTensorKey(moduleKey: string, matrix: 'A' | 'B'): string {
  return `${basePrefix('LORA')}${moduleKey}.lora_${matrix}.weight`;
}

const LORA_TENSOR_KEY = /^base_model\.model\.(.+)\.lora_[AB]\.weight$/;

/** The module of a LoRA A/B file key, or undefined for any other key. */
export function loraModuleOfKey(key: string): string | undefined {
  return LORA_TENSOR_KEY.exec(key)?.[1];
}

/**
 * File key of a parameter of a module saved whole (`modules_to_save`):
 * `base_model.model.{module}.{name}` for LoRA, `base_model.{module}.{name}`
 * for prompt learning. A parameter named `score.weight` or `weight` of module
 * `score` both become `….score.weight`.
 */
export function savedModuleTensorKey(peftType: PEFTType, module: string, parameter: string): string {
  const local = parameter.startsWith(`${module}.`) ? parameter.slice(module.length + 1) : parameter;
  return `${basePrefix(peftType)}${module}.${local}`;
}
