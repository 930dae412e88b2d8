/**
 * The training controller: puts a fresh LoRA adapter on the model, runs
 * core's `train()` on it, reports every step, and can be stopped. Only the
 * adapter's A and B matrices train; the model's weights stay frozen, so a
 * run never changes the base and a new run starts from the same model.
 */
import {
  type AdapterSet, applyAdapter, type CausalLMExample, createLora, formatTrainableParameters, type GPT2Model, type StepEvent, train, type TrainResult,
} from '@tunekit/core';

/** What a run uses; the page's form fields. */
export interface TrainingSettings {
  /** Optimizer updates. */
  steps: number;
  batchSize: number;
  learningRate: number;
  /** LoRA rank r; alpha is 2r (scaling 2), a common choice. */
  rank: number;
  /** `target_modules`, e.g. `['c_attn']` (PEFT's default for GPT-2) or `'all-linear'`. */
  targetModules: string[] | 'all-linear';
  /** Seed of the LoRA initialisation, the batch order and dropout. */
  seed: number;
}

/**
 * Most LoRA tensors (A and B of every adapted map) a WebGPU run may have.
 * core's trainer reports the global gradient norm by summing one term per
 * tensor in a single `tf.addN`; tfjs's WebGPU AddN binds every input as a
 * storage buffer, and devices allow 8 per shader stage (7 inputs + the
 * output). Past that the kernel fails validation and the norm is garbage.
 */
export const WEBGPU_MAX_TRAINABLE_TENSORS = 7;

/**
 * `layers_to_transform` keeping a WebGPU run within
 * {@link WEBGPU_MAX_TRAINABLE_TENSORS}: the last blocks, as many as fit.
 * Undefined when every block fits (or the engine is not WebGPU). Throws when
 * not even one block fits (all four maps of a block are 8 tensors).
 */
export function layersWithinWebGPULimit(model: GPT2Model, targetModules: string[] | 'all-linear', engine: string): number[] | undefined {
  if (engine !== 'webgpu') return undefined;
  const mapsPerBlock = targetModules === 'all-linear' ? 4 : targetModules.reduce((n, m) => n + (m === 'c_proj' ? 2 : 1), 0);
  const blocks = Math.floor(WEBGPU_MAX_TRAINABLE_TENSORS / (2 * mapsPerBlock));
  if (blocks < 1) {
    throw new Error(`LoRA on ${mapsPerBlock} maps per block is ${2 * mapsPerBlock} tensors per block; on WebGPU a run may train at most ${WEBGPU_MAX_TRAINABLE_TENSORS} for now. Pick fewer target modules.`);
  }
  const layers = model.config.numLayers;
  if (blocks >= layers) return undefined;
  return Array.from({ length: blocks }, (_, i) => layers - blocks + i);
}

/** The outcome of a run. */
export interface TrainingRun {
  result: TrainResult;
  /** PEFT's `trainable params: … || all params: … || trainable%: …` line. */
  trainable: string;
  /** The blocks adapted, when not all of them (see {@link layersWithinWebGPULimit}). */
  layers?: number[];
  /** Wall time, ms, including the first step's shader compilation. */
  wallMs: number;
}

/** Owns the adapter on the current model and the run in progress. */
export class TrainingController {
  private peft: AdapterSet | undefined;
  private abort: AbortController | undefined;

  /** The trained adapter set (for chat and download), once a run finished. */
  get adapter(): AdapterSet | undefined {
    return this.peft;
  }

  get running(): boolean {
    return this.abort !== undefined;
  }

  /**
   * Trains a new LoRA adapter on `model`. An adapter from an earlier run is
   * removed first (its variables disposed), so runs do not stack.
   */
  async run(model: GPT2Model, examples: readonly CausalLMExample[], settings: TrainingSettings, engine: string, onStep: (event: StepEvent) => void): Promise<TrainingRun> {
    if (this.abort) throw new Error('a training run is already in progress');
    this.release();
    const layers = layersWithinWebGPULimit(model, settings.targetModules, engine);
    const lora = createLora({
      model, rank: settings.rank, alpha: 2 * settings.rank, targetModules: settings.targetModules, layersToTransform: layers, seed: settings.seed,
    });
    this.peft = applyAdapter({ model, adapter: lora });
    const trainable = formatTrainableParameters(this.peft.trainableParameters());
    const abort = new AbortController();
    this.abort = abort;
    const started = performance.now();
    try {
      const result = await train({
        model, sources: [this.peft], task: 'causal-lm', trainData: examples,
        batchSize: Math.min(settings.batchSize, examples.length), maxSteps: settings.steps,
        // No weight decay: it would pull the adapter back towards "no change".
        optimizer: { learningRate: settings.learningRate, weightDecay: 0 },
        // Loss on the answers only; the prompt rows never reach the 50,257-wide LM head, which is most of the work.
        collate: { maskPrompt: true },
        seed: settings.seed, onStep, signal: abort.signal,
      });
      return { result, trainable, layers, wallMs: performance.now() - started };
    } finally {
      this.abort = undefined;
    }
  }

  /** Asks the run to stop after the current step. */
  stop(): void {
    this.abort?.abort();
  }

  /** Removes the adapter from the model (before the model is replaced or retrained). */
  release(): void {
    this.peft?.unload();
    this.peft = undefined;
  }
}
