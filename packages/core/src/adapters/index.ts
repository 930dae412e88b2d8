// Barrel of this area's public API; re-exported by src/index.ts.
// Parameter-efficient fine-tuning: LoRA, prefix tuning and prompt tuning
// through the model's hook points, and Python PEFT's file layout.
export { type Adapter, canMerge, type MergeableAdapter, type PEFTConfigJSON, type PEFTConfigValue, type PEFTType } from './adapter';
export { adaptersOf, AdapterSet, applyAdapter, type ApplyAdapterOptions } from './adapter-set';
export { prependIgnoreLabels, virtualTokenCount } from './labels';
export { createLoRA, type CreateLoRAOptions, type LinearModule, LoRAAdapter, type LoRAValueSource } from './lora';
export { ALL_LINEAR, DEFAULT_LORA, type LoRAConfig, type LoRAInit, loraScaling, resolveLoRAConfig, targetsModule } from './lora-config';
export { peftModuleKey } from './peft-keys';
export { adapterParameterCount, type AdapterSizeSpec } from './parameter-counts';
export {
  type AdapterLogger, buildPEFTConfig, type ParsedPEFTConfig, type PEFTFileInfo, parsePEFTConfig, type PromptLearningShape, stringifyPEFTConfig,
} from './peft-config';
export { PEFT_FORMAT_VERSION, peftFieldDefaults } from './peft-config-fields';
export { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from './peft-files';
export { loadAdapter, type LoadAdapterOptions, saveAdapter, type SaveAdapterOptions } from './peft-format';
export { createPrefixTuning, type CreatePrefixTuningOptions, DEFAULT_PREFIX_TUNING, type PrefixTuningConfig, PrefixTuningAdapter } from './prefix-tuning';
export { createPromptTuning, type CreatePromptTuningOptions, DEFAULT_PROMPT_TUNING, type PromptTuningConfig, PromptTuningAdapter, type PromptTuningInit } from './prompt-tuning';
export { formatTrainableParameters, type TrainableReport, trainableParameters } from './trainable-parameters';
