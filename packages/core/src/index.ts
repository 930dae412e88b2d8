/**
 * @packageDocumentation
 * `@tunekit/core`: GPT-2 in TypeScript on tfjs — loading and saving Hugging
 * Face checkpoints, the forward pass, generation, and the pieces training and
 * adapters build on. Runs in Node and browsers on any backend that implements
 * {@link BackendV1}; by default on `@tunekit/backend-cpu` (loaded lazily when no backend is given).
 */
export {
  FileNotFoundError, InvalidArgumentError, InvalidFileError, InvalidStateError, isTunekitError, TunekitError, type TunekitErrorOptions, UnsupportedError,
} from '@tunekit/formats';
export type { BackendCapabilities, BackendV1, FileIO } from './backend/backend-spec';
export { resolveBackend, type ResolvedBackend } from './backend/resolve-backend';

export {
  countParameters, fromHFConfig, GPT2_PRESETS, gpt2Config, toHFConfig, validateConfig,
  type GPT2Activation, type GPT2Config, type GPT2PresetName, type HFGPT2ConfigJSON,
} from './model/config';
export { createModel, type CreateModelOptions } from './model/create-model';
export { EmbeddingTable } from './model/embedding-table';
export { GPT2Model, type ForwardOptions, type ForwardOutput, type FromValuesOptions, type ModelOptions, type ParameterReport } from './model/gpt2-model';
export type { AttentionPrefix, ForwardContext, ForwardHooks, LinearName, LowRankTerm } from './model/hooks';
export { KVCache, type KVCacheEntry } from './model/kv-cache';
export { countTrainable, type ParameterSource } from './model/parameter-source';
export { type BlockParams, type GPT2Params, type LayerNormParams, type LinearParams, type ValueSource } from './model/params';
export type { BlockRunner, ReplayableBlock, TransformerOptions, TransformerOutput } from './model/transformer';

export { IGNORE_INDEX, lmCrossEntropy, lmTokenStats, type CrossEntropyOptions, type TokenStats } from './loss/lm-cross-entropy';

export { generate, generateStream, type FinishReason, type GenerateOptions, type GenerateResult, type GenerationChunk } from './generate/generate';
export type { SamplingOptions } from './generate/sampling';

export { END_OF_TEXT, END_OF_TEXT_ID, GPT2Tokenizer, gpt2Tokenizer, type EncodeOptions, type Tokenizer } from './tokenizer/gpt2-tokenizer';

export { announcedSize, collectBytes, fetchStream, responseStream, withProgress, type ByteStream, type FetchStreamOptions, type LoadProgress, type ProgressCallback } from './io/fetch-stream';
export { describeError, FetchError, type FetchErrorDetails } from './io/fetch-error';
export { loadModel, type LoadModelOptions, type ModelSource } from './io/load-pretrained';
export { hubDownload, type HubDownloadOptions, type HubFile } from './io/hub-download';
export { HubError, type HubErrorCode } from './io/hub-error';
export { HUB_PRESETS } from './io/hub-id';
export { hubSettings, type HubOverrides, type HubSettings, type HubSettingsOptions } from './io/hub-settings';
// Node's file access is the CPU backend's (`@tunekit/backend-cpu/node`); core knows only `FileIO`.
export { FileWriteError, type FileWriteErrorCode } from '@tunekit/formats';
export { parseSafetensors, safetensorsParts, serializeSafetensors, streamSafetensors, type DecodedTensor, type SafetensorsDtype, type TensorToWrite } from './io/safetensors';
export { saveModel, type SaveModelOptions } from './io/save-pretrained';

export { SeededRandom } from './util/random';

// Training (heads, data pipeline, trainer) and adapters (LoRA, prefix and
// prompt tuning) keep their public surface in their own barrels.
export * from './train/index';
export * from './adapters/index';
