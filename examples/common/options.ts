/**
 * The option bags the examples share. Each example's options extend one of
 * these with only what is its own (LoRA's rank, DPO's β…), and every `main.ts`
 * maps the common flags onto them with {@link exampleOptionsFromFlags}.
 */
import { type BackendCapabilities, type GPT2Config, resolveBackend } from '@tunekit/core';
import type { CommonFlags } from './cli';
import type { DataLookup } from './data-files';
import { defaultOutputDirectory } from './paths';

/** What every example takes. */
export interface ExampleOptions extends DataLookup {
  /** A Hugging Face GPT-2 directory; default: the example's tiny random model. */
  model?: string;
  /** The data file (`--data`); default: found or downloaded. */
  data?: string;
  /** Config of the tiny random model. Default: the example's. */
  tiny?: Partial<GPT2Config>;
  /** Examples per batch. Default: the example's. */
  batchSize?: number;
  /** Use only the first N training examples (for quick runs). */
  trainLimit?: number;
  /** Output folder. Default `out/<example>` in the repository. */
  out?: string;
  /** Seed of the split, the data order, dropout and the tiny model. Default 123 (the book's). */
  seed?: number;
  /** Draw a progress bar on stdout. Default false. */
  progress?: boolean;
  /** Where summary lines go. Default: nowhere. */
  print?: (line: string) => void;
}

/** What every example with one training run takes besides {@link ExampleOptions}. */
export interface TrainingExampleOptions extends ExampleOptions {
  /** Passes over the training data. Default: the example's. */
  epochs?: number;
  /** Peak learning rate. Default: the example's. */
  learningRate?: number;
  /** Stop after this many updates. */
  maxSteps?: number;
  /** Evaluate every N updates on `evalBatches` batches. Defaults: the example's. */
  evalEvery?: number;
  evalBatches?: number;
}

/** The common flags as options: what every `main.ts` passes, plus a progress bar and printing to stdout. */
export function exampleOptionsFromFlags(flags: CommonFlags): TrainingExampleOptions {
  return {
    model: flags.model, data: flags.data, epochs: flags.epochs, batchSize: flags.batchSize, learningRate: flags.lr, maxSteps: flags.maxSteps,
    out: flags.out, seed: flags.seed, progress: true, print: (line) => console.log(line),
  };
}

/** The settings every run starts from, with the defaults applied. */
export interface ExampleStart {
  print: (line: string) => void;
  seed: number;
  out: string;
  /** The backend that runs (the default one: the examples pass none). */
  capabilities: BackendCapabilities;
}

/** Applies the common defaults and starts the backend, printing which one runs. */
export async function startExample(name: string, options: ExampleOptions): Promise<ExampleStart> {
  const print = options.print ?? (() => {});
  const { backend, capabilities } = await resolveBackend();
  print(`backend: ${capabilities.description} (${backend.name})`);
  return { print, seed: options.seed ?? 123, out: options.out ?? defaultOutputDirectory(name), capabilities };
}
