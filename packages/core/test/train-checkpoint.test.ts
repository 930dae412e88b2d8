// Checkpoints: a resumed run reproduces the uninterrupted one bit for bit
// (dropout on, accumulation, warmup + cosine, clipping, across an epoch
// boundary); a crash in the middle of writing leaves the previous checkpoint
// and its pointer intact; a NaN loss stops with a clear error and keeps the
// last good checkpoint.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type CheckpointFiles, type CausalLMExample, createModel, type GPT2Model, gpt2Tokenizer, NonFiniteLossError, readCheckpoint, type TrainOptions,
  train, type TrainResult,
} from '@tunekit/core';
import { nodeFileIO } from '@tunekit/backend-cpu/node';

const root = mkdtempSync(join(tmpdir(), 'tunekit-checkpoints-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

const sentences = ['the cat sat on the mat', 'a dog ran in the park', 'the sun is hot today', 'green tea is nice', 'rain falls on the town'];
const data: CausalLMExample[] = Array.from({ length: 20 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(`${sentences[i % 5]} ${i}`), 50256] }));

async function freshModel(): Promise<GPT2Model> {
  // Dropout stays on (0.1): resuming must also reproduce the dropout masks.
  const model = await createModel({ embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 64 }, { seed: 3 });
  models.push(model);
  return model;
}

function settings(model: GPT2Model, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model, task: 'causal-lm', trainData: data, valData: data.slice(0, 4), batchSize: 4, gradientAccumulation: 2, maxSteps: 7, evalEvery: 3, seed: 11,
    optimizer: { learningRate: 5e-3, weightDecay: 0.1 }, schedule: { warmupSteps: 2, decay: 'cosine' }, gradientClip: 0.5, ...extra,
  } as TrainOptions;
}

const stepView = (result: TrainResult) => result.steps.map(({ step, loss, learningRate, gradNorm, tokens, tokensSeen }) => ({ step, loss, learningRate, gradNorm, tokens, tokensSeen }));
const evalView = (result: TrainResult) => result.evals.map(({ step, train: t, val }) => ({ step, train: t, val }));
const weights = async (model: GPT2Model) => Promise.all([...model.parameters().values()].map(async (v) => Array.from(await v.data())));

function failingFiles(pattern: RegExp): CheckpointFiles {
  const base = nodeFileIO();
  const fail = (path: string) => {
    if (pattern.test(path)) throw new Error(`simulated crash while writing ${path}`);
  };
  return {
    ...base,
    writeFileAtomic: async (path, bytes) => (fail(path), base.writeFileAtomic(path, bytes)),
    writeChunksAtomic: async (path, chunks) => (fail(path), base.writeChunksAtomic!(path, chunks)),
    rename: (from, to) => rename(from, to),
  };
}

describe('resume', () => {
  it('a run stopped at step 4 and resumed from its checkpoint equals the uninterrupted run, bit for bit', async () => {
    const whole = await freshModel();
    const uninterrupted = await train(settings(whole));

    const directory = join(root, 'resume');
    const controller = new AbortController();
    const first = await freshModel();
    const partial = await train(settings(first, { checkpoint: { directory, every: 3 }, signal: controller.signal, onStep: (e) => (e.step === 4 ? controller.abort() : undefined) }));
    expect([partial.stopReason, partial.step]).toEqual(['aborted', 4]);
    expect(readFileSync(join(directory, 'latest'), 'utf8').trim()).toBe('checkpoint-4');
    expect(readdirSync(directory).sort()).toEqual(['checkpoint-3', 'checkpoint-4', 'latest']);

    const second = await freshModel(); // a new process would start from the same initial weights
    const resumed = await train(settings(second, { checkpoint: { directory, every: 3 }, resumeFrom: directory }));
    expect(resumed.step).toBe(7);
    expect(stepView(resumed)).toEqual(stepView(uninterrupted)); // exact equality of every float
    expect(evalView(resumed)).toEqual(evalView(uninterrupted));
    expect(await weights(second)).toEqual(await weights(whole));
    console.log(`resumed run: losses equal bit for bit over ${resumed.steps.length} steps (last ${resumed.steps.at(-1)!.loss})`);
  });

  it('refuses a checkpoint from a run with other settings or other trainable variables', async () => {
    const directory = join(root, 'mismatch');
    await train(settings(await freshModel(), { maxSteps: 2, evalEvery: undefined, checkpoint: { directory } }));
    await expect(train(settings(await freshModel(), { batchSize: 2, resumeFrom: directory }))).rejects.toThrow(/written by a run with batchSize 4, this run has 2/);
    const frozen = await freshModel();
    frozen.params.lnF.weight.trainable = false;
    await expect(train(settings(frozen, { resumeFrom: directory }))).rejects.toThrow(/only in the checkpoint: ln_f\.weight/);
    await expect(train(settings(await freshModel(), { resumeFrom: join(root, 'nowhere') }))).rejects.toThrow(/is not a checkpoint/);
  });

  it('keeps only the newest `keep` checkpoints', async () => {
    const directory = join(root, 'keep');
    await train(settings(await freshModel(), { evalEvery: undefined, checkpoint: { directory, every: 1, keep: 3 } }));
    expect(readdirSync(directory).sort()).toEqual(['checkpoint-5', 'checkpoint-6', 'checkpoint-7', 'latest']);
  });
});

describe('crash safety', () => {
  it('a crash while writing checkpoint 4 leaves checkpoint 2 and `latest` intact, and training resumes from it', async () => {
    const directory = join(root, 'crash');
    const files = failingFiles(/checkpoint-4\.tmp\/optimizer\.safetensors$/);
    await expect(train(settings(await freshModel(), { evalEvery: undefined, checkpoint: { directory, every: 2, files } }))).rejects.toThrow(/simulated crash/);
    expect(readFileSync(join(directory, 'latest'), 'utf8').trim()).toBe('checkpoint-2');
    expect(existsSync(join(directory, 'checkpoint-4'))).toBe(false);
    const checkpoint = await readCheckpoint<{ step: number }>(directory);
    expect(checkpoint.state.step).toBe(2);
    expect(checkpoint.path).toBe(join(directory, 'checkpoint-2'));

    const resumed = await train(settings(await freshModel(), { evalEvery: undefined, resumeFrom: directory, checkpoint: { directory, every: 2 } }));
    const reference = await train(settings(await freshModel(), { evalEvery: undefined }));
    expect(stepView(resumed)).toEqual(stepView(reference));
    expect(readdirSync(directory).filter((e) => e.endsWith('.tmp'))).toEqual([]); // leftovers are cleaned up
  });
});

describe('non-finite loss', () => {
  it('stops with NonFiniteLossError at the bad step, applies no update, and keeps the last good checkpoint', async () => {
    const directory = join(root, 'nan');
    const model = await freshModel();
    let poison = false;
    model.hooks = { linear: (_name, _input, output) => (poison ? (tf.mul(output, Number.NaN) as tf.Tensor2D) : output) };
    const error = await train(settings(model, { evalEvery: undefined, checkpoint: { directory, every: 2 }, onStep: (e) => { poison = e.step === 3; } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(4);
    expect((error as Error).message).toMatch(/step 4: the loss is NaN; the update was not applied\. The last good checkpoint is .*checkpoint-2/);
    expect(readFileSync(join(directory, 'latest'), 'utf8').trim()).toBe('checkpoint-2');
    const saved = await readCheckpoint(directory);
    expect([...saved.trainable.values()].every((t) => t.data.every(Number.isFinite))).toBe(true);
    expect((await weights(model)).every((w) => w.every(Number.isFinite))).toBe(true);
    model.hooks = undefined;
  });
});
