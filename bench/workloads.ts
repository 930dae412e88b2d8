/**
 * The fixed benchmark workloads on GPT-2 124M (and, with --heavy, gpt2-medium) shapes (random weights), each
 * run through @tunekit/core's public API, the way an application would:
 * training goes through `train()` itself (collate → `variableGrads` of the
 * task loss (lmCrossEntropy / softmax cross-entropy) → global norm → AdamW),
 * so the timings are of the real step, not of a copy of it.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { profile, resetProfile, startProfiling } from './kernels/kernel-profiler';
import {
  applyAdapter, type CausalLMExample, countTrainable, ClassificationHead, type ClassificationExample, createLoRA, createModel,
  generate, type GPT2Model, train, type TrainOptions, unfreezeLastBlocks,
} from '@tunekit/core';
import { createCPUBackend, type CPUFlavor } from '@tunekit/backend-cpu';

/** Names accepted by `--only`; the default run. */
export const WORKLOADS = ['full-ft-4x256', 'full-ft-1x1024', 'lora-r16-4x256', 'classify-8x128', 'generate-64'] as const;
/** gpt2-medium full fine-tuning: only with `--heavy` or by name in `--only` (8×256 needs > 16 GiB). */
export const HEAVY_WORKLOADS = ['full-ft-medium-8x92', 'full-ft-medium-8x256'] as const;
export type WorkloadName = (typeof WORKLOADS)[number] | (typeof HEAVY_WORKLOADS)[number];

export interface WorkloadOptions {
  /** Embedded-backend flavour, or `auto` for its default order (native → wasm → cpu). */
  backend: CPUFlavor | 'auto';
  /** Measured steps (training) or measured generations. */
  steps: number;
  /** Unmeasured steps first (JIT, allocator, kernel packing). */
  warmup: number;
  threads?: number;
  /** Add the top kernels by self time (tfjs cpu backend only) to the row; `'shapes'`: products and adds per input shapes, top 40. */
  profile?: boolean | 'shapes';
  /** Optional fused kernels to unregister (before/after comparisons): core then runs the op-by-op path. */
  without?: string[];
  /** Train with `gradientCheckpointing` (training workloads only). */
  gradientCheckpointing?: boolean;
}

/** One JSON line of results. */
export type Row = Record<string, unknown>;

const VOCAB = 50257;

/** Deterministic token ids spread over the vocabulary. */
function tokenIds(count: number, salt: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 7919 + salt * 104729 + 13) % VOCAB);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function peakRssMiB(): number {
  // resourceUsage().maxRSS is in KiB on Linux and macOS.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function makeModel(options: WorkloadOptions, preset: 'gpt2' | 'gpt2-medium' = 'gpt2'): Promise<{ model: GPT2Model; backend: string; threads: number }> {
  const prefer: CPUFlavor[] | undefined = options.backend === 'auto' ? undefined : [options.backend];
  const backend = createCPUBackend({ prefer, threads: options.threads });
  const model = await createModel(preset, { backend, seed: 0 });
  const capabilities = backend.doCapabilities();
  for (const name of options.without ?? []) {
    if (!tf.getKernel(name, capabilities.tfjsBackend)) throw new Error(`--without ${name}: no such kernel on ${capabilities.tfjsBackend}`);
    tf.unregisterKernel(name, capabilities.tfjsBackend);
  }
  if (options.profile && capabilities.tfjsBackend === 'cpu') startProfiling({ byShape: options.profile === 'shapes' });
  return { model, backend: capabilities.description, threads: capabilities.threads ?? 1 };
}

/**
 * Runs `train()` for warmup + steps updates and reads each update's time
 * from its step events (`elapsedMs` deltas: collate, forward, backward,
 * norm, AdamW — what `train()` itself times).
 */
async function timedTrain(settings: TrainOptions, options: WorkloadOptions, tokensPerStep: number): Promise<Row> {
  const times: number[] = [];
  const tensors: number[] = [];
  let previous = 0;
  const losses: number[] = [];
  await train({
    ...settings,
    gradientCheckpointing: options.gradientCheckpointing,
    maxSteps: options.warmup + options.steps,
    onStep: (event) => {
      times.push(event.elapsedMs - previous);
      previous = event.elapsedMs;
      losses.push(event.loss);
      tensors.push(tf.memory().numTensors);
      if (times.length === options.warmup) resetProfile();
    },
  });
  const measured = times.slice(options.warmup);
  const ms = median(measured);
  return {
    msPerStep: round(ms, 0),
    tokensPerS: round((tokensPerStep * 1000) / ms, 1),
    stepsMeasured: measured.length,
    stepMs: measured.map((t) => round(t, 0)),
    loss: round(losses[losses.length - 1] as number, 3),
    numTensorsPerStep: tensors,
    ...(options.profile ? { profile: kernelProfile(measured.length, options.profile === 'shapes' ? 40 : 20) } : {}),
  };
}

/** The `top` kernels by self time per step. */
function kernelProfile(steps: number, top: number): Array<[string, number, number]> {
  const stats = profile();
  const total = stats.reduce((s, k) => s + k.ms, 0);
  return [['(all kernels)', round(total / steps, 0), 0], ...stats.slice(0, top).map((k): [string, number, number] => [k.kernel, round(k.ms / steps, 0), round(k.calls / steps, 0)])];
}

function causalData(batch: number, time: number): CausalLMExample[] {
  // time + 1 ids give `time` inputs and `time` shifted targets.
  return Array.from({ length: batch }, (_, i) => ({ inputIds: tokenIds(time + 1, i) }));
}

async function fullFineTune(batch: number, time: number, options: WorkloadOptions, preset: 'gpt2' | 'gpt2-medium' = 'gpt2'): Promise<Row> {
  const { model, backend, threads } = await makeModel(options, preset);
  try {
    const before = tf.memory().numTensors;
    const result = await timedTrain({ model, task: 'causal-lm', trainData: causalData(batch, time), batchSize: batch, shuffle: false }, options, batch * time);
    return { ...result, backend, threads, numTensors: { before, after: tf.memory().numTensors } };
  } finally {
    model.dispose();
  }
}

async function loraR16(options: WorkloadOptions): Promise<Row> {
  const { model, backend, threads } = await makeModel(options);
  const adapter = createLoRA({ model, rank: 16, alpha: 16, targetModules: ['c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] });
  const peft = applyAdapter({ model, adapter });
  try {
    const before = tf.memory().numTensors;
    const result = await timedTrain(
      { model, sources: [peft], task: 'causal-lm', trainData: causalData(4, 256), batchSize: 4, shuffle: false, optimizer: { learningRate: 2e-4 } },
      options, 4 * 256,
    );
    return { ...result, backend, threads, trainableParameters: countTrainable([peft]).trainable, numTensors: { before, after: tf.memory().numTensors } };
  } finally {
    peft.unload({ dispose: true });
    model.dispose();
  }
}

async function classify(options: WorkloadOptions): Promise<Row> {
  const { model, backend, threads } = await makeModel(options);
  const head = new ClassificationHead({ numLabels: 2, model, seed: 123 });
  unfreezeLastBlocks({ model, count: 1 }); // chapter 6: last block + final LayerNorm (+ the head)
  const trainData: ClassificationExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: tokenIds(128, i), label: i % 2 }));
  try {
    const before = tf.memory().numTensors;
    const result = await timedTrain({ model, head, task: 'classification', trainData, batchSize: 8, shuffle: false }, options, 8 * 128);
    return { ...result, backend, threads, numTensors: { before, after: tf.memory().numTensors } };
  } finally {
    head.dispose();
    model.dispose();
  }
}

/** Greedy decoding with the KV cache: 32 prompt tokens, 64 new ones (EOS ignored). */
async function generate64(options: WorkloadOptions): Promise<Row> {
  const { model, backend, threads } = await makeModel(options);
  const prompt = tokenIds(32, 7);
  const run = async () => {
    const stamps: number[] = [];
    const t0 = performance.now();
    await generate({ model, prompt, maxNewTokens: 64, eosTokenId: null, useCache: true, onToken: () => stamps.push(performance.now()) });
    const total = performance.now() - t0;
    const first = (stamps[0] as number) - t0; // prefill of the 32-token prompt + the first token
    const perToken = stamps.slice(1).map((t, i) => t - (stamps[i] as number));
    return { total, first, perToken: median(perToken), tokens: stamps.length };
  };
  try {
    const before = tf.memory().numTensors;
    for (let i = 0; i < options.warmup; i++) await run();
    resetProfile();
    const runs = [];
    for (let i = 0; i < options.steps; i++) runs.push(await run());
    const total = median(runs.map((r) => r.total));
    const perToken = median(runs.map((r) => r.perToken));
    return {
      msPerStep: round(total, 0), msPerToken: round(perToken, 1), tokensPerS: round(1000 / perToken, 1), firstTokenMs: round(median(runs.map((r) => r.first)), 0),
      newTokens: runs[0]?.tokens, stepsMeasured: runs.length, backend, threads, numTensors: { before, after: tf.memory().numTensors },
      ...(options.profile ? { profile: kernelProfile(runs.length, options.profile === 'shapes' ? 40 : 20) } : {}),
    };
  } finally {
    model.dispose();
  }
}

/** Runs one workload and returns its JSON row. */
export async function runWorkload(name: WorkloadName, options: WorkloadOptions): Promise<Row> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let row: Row;
  switch (name) {
    case 'full-ft-4x256':
      row = await fullFineTune(4, 256, options);
      break;
    case 'full-ft-1x1024':
      row = await fullFineTune(1, 1024, options);
      break;
    case 'lora-r16-4x256':
      row = await loraR16(options);
      break;
    case 'classify-8x128':
      row = await classify(options);
      break;
    case 'generate-64':
      row = await generate64(options);
      break;
    case 'full-ft-medium-8x92':
      row = await fullFineTune(8, 92, options, 'gpt2-medium');
      break;
    case 'full-ft-medium-8x256':
      row = await fullFineTune(8, 256, options, 'gpt2-medium');
      break;
  }
  const without = {
    ...(options.without?.length ? { without: options.without } : {}),
    ...(options.gradientCheckpointing && name !== 'generate-64' ? { gradientCheckpointing: true } : {}),
  };
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Cores this process kept busy on average (≈ threads when it had the machine to itself).
  const avgCoresBusy = round((cpu.user + cpu.system) / 1000 / wallMs, 2);
  return { workload: name, ...row, ...without, peakRssMiB: peakRssMiB(), wallS: round(wallMs / 1000, 1), avgCoresBusy, loadAverage: round(os.loadavg()[0] as number, 1) };
}
