/**
 * The training controller: puts a fresh LoRA adapter on the model, runs
 * core's `train()` on it, reports every step, and can be stopped. Only the
 * adapter's A and B matrices train; the model's weights stay frozen, so a
 * run never changes the base and a new run starts from the same model.
 */
import {
  type AdapterSet, applyAdapter, type CausalLMExample, createLoRA, formatTrainableParameters, type GPT2Model, type StepEvent, train, type TrainResult,
} from '@tunekit/core';
import type { TrainingSettings } from '../protocol';


/** The outcome of a run. */
export interface TrainingRun {
  result: TrainResult;
  /** PEFT's `trainable params: … || all params: … || trainable%: …` line. */
  trainable: string;
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
  async run(model: GPT2Model, examples: readonly CausalLMExample[], settings: TrainingSettings, onStep: (event: StepEvent) => void | Promise<void>): Promise<TrainingRun> {
    if (this.abort) throw new Error('a training run is already in progress');
    this.release();
    const lora = createLoRA({
      model, rank: settings.rank, alpha: 2 * settings.rank, targetModules: settings.targetModules, seed: settings.seed,
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
        // GPT-2 124M and up: recompute each block in backward instead of keeping its activations,
        // so a step fits the wasm flavour's 4 GiB heap (same numbers, ~1 more forward pass of time).
        gradientCheckpointing: model.config.embeddingDim >= 768,
        seed: settings.seed, onStep, signal: abort.signal,
      });
      return { result, trainable, wallMs: performance.now() - started };
    } finally {
      this.abort = undefined;
    }
  }

  /**
   * Asks the run to stop after the current step. The adapter keeps the
   * weights of the last finished step, so it can still be used and saved.
   */
  stop(): void {
    this.abort?.abort();
  }

  /** Removes the adapter from the model (before the model is replaced or retrained). */
  release(): void {
    this.peft?.unload();
    this.peft = undefined;
  }
}
