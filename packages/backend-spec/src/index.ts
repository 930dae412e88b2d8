/**
 * @packageDocumentation
 * The tunekit backend specification, version 1: what a backend package
 * implements and `@tunekit/core` calls, the optional fused kernels a backend
 * may register (each defined once: name, inputs, attributes, outputs), and
 * the start-up path every backend shares. Its own package so that core and
 * every backend (including the CPU backend core loads by default) depend on
 * it, and never on each other.
 */
export type { BackendCapabilities, BackendV1, FileIO, OptionalFileIOMember } from './backend-spec';
export { engineStartup, type EngineSelector, type EngineStartup, type EngineStartupOptions } from './engine-startup';
export { lazyFileIO, type LazyFileIOOptions } from './lazy-file-io';
export { isNodeRuntime } from './runtime';
export {
  OPTIONAL_KERNEL_NAMES,
  TunekitAccumulate,
  TunekitAdamW,
  TunekitAttention,
  TunekitAttentionGrad,
  TunekitBiasGelu,
  TunekitBiasGeluGrad,
  TunekitDropout,
  TunekitDropoutMask,
  TunekitGelu,
  TunekitGeluGrad,
  TunekitLayerNorm,
  TunekitLayerNormGrad,
  TunekitLinear,
  TunekitLoRALinear,
  TunekitLoRALinearGrad,
  LORA_LINEAR_MAX_RANK,
  isExactScaling,
  TunekitSoftmaxCrossEntropy,
  TunekitSoftmaxCrossEntropyGrad,
  TunekitSumOfSquares,
  type NoAttrs,
  type OptionalKernelAttrs,
  type OptionalKernelImplementation,
  type OptionalKernelInputs,
  type OptionalKernelName,
  type OptionalKernelOutputs,
  type OptionalKernelSignature,
  type OptionalKernelSignatures,
  type TunekitAccumulateAttrs,
  type TunekitAdamWAttrs,
  type TunekitAttentionAttrs,
  type TunekitDropoutAttrs,
  type TunekitDropoutMaskAttrs,
  type TunekitGeluAttrs,
  type TunekitLayerNormAttrs,
  type TunekitLoRALinearAttrs,
} from './optional-kernels';
