// One run per model and per checkpoint folder: a second train() on a model in
// training is refused, and so is generate() outside the run's callbacks; a
// checkpoint folder is locked by its run (run.lock with the process id),
// stale locks are taken over, and the lock goes at the end and on failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type CausalLMExample, CheckpointLockedError, createModel, type GPT2Model, generate, LOCK_FILE, ModelBusyError, train, type TrainOptions,
} from '@tunekit/core';

const root = mkdtempSync(join(tmpdir(), 'tunekit-one-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

const data: CausalLMExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: [10 + i, 20, 30, 40, 50256] }));

async function smallModel(): Promise<GPT2Model> {
  const model = await createModel({ embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 32, vocabSize: 50257 }, { seed: 2 });
  models.push(model);
  return model;
}

const run = (model: GPT2Model, extra: Partial<TrainOptions> = {}) =>
  train({ model, task: 'causal-lm', trainData: data, batchSize: 2, maxSteps: 3, optimizer: { learningRate: 1e-3 }, ...extra } as TrainOptions);

describe('one run per model', () => {
  it('a second train() and a generate() during a run are refused; generate() inside a callback works; the model is free afterwards', async () => {
    const model = await smallModel();
    // generate() called mid-step (from inside the forward pass, while the weights are in flux) must be refused.
    let midStep: Promise<unknown> | undefined;
    model.hooks = { linear: (_name, _input, output) => ((midStep ??= generate({ model, prompt: [1, 2], maxNewTokens: 2, hooks: null }).catch((e: unknown) => e)), output) };
    let insideCallback: number[] | undefined;
    const first = run(model, { onStep: async (e) => { if (e.step === 1) insideCallback = (await generate({ model, prompt: [1, 2], maxNewTokens: 2, eosTokenId: null, hooks: null })).tokens; } });
    await expect(run(model)).rejects.toBeInstanceOf(ModelBusyError);
    const result = await first;
    model.hooks = undefined;
    expect(result.step).toBe(3); // the first run was not disturbed
    const refused = await midStep;
    expect(refused).toBeInstanceOf(ModelBusyError);
    expect(refused).toMatchObject({ code: 'model_busy' });
    expect((refused as Error).message).toMatch(/^generate\(\): this model is being trained/);
    expect(insideCallback).toHaveLength(2);
    expect((await generate({ model, prompt: [1, 2], maxNewTokens: 2, eosTokenId: null })).tokens).toHaveLength(2);
    expect((await run(model, { maxSteps: 1 })).step).toBe(1);
  });

  it('a failed run frees the model', async () => {
    const model = await smallModel();
    await expect(run(model, { onStep: () => { throw new Error('callback failed'); } })).rejects.toThrow('callback failed');
    expect((await run(model, { maxSteps: 1 })).step).toBe(1);
  });
});

describe('one run per checkpoint folder', () => {
  it('the folder holds run.lock with this pid during the run; a second run into it is refused; the lock goes at the end', async () => {
    const directory = join(root, 'locked');
    const lock = join(directory, LOCK_FILE);
    let seen: { pid?: number } | undefined;
    let second: unknown;
    const other = await smallModel();
    await run(await smallModel(), {
      checkpoint: { directory, every: 1 },
      onStep: async (e) => {
        if (e.step !== 2) return;
        seen = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number };
        second = await run(other, { checkpoint: { directory } }).catch((error: unknown) => error);
      },
    });
    expect(seen?.pid).toBe(process.pid);
    expect(second).toBeInstanceOf(CheckpointLockedError);
    expect(second).toMatchObject({ code: 'checkpoint_locked', path: lock, pid: process.pid });
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(join(directory, 'latest'), 'utf8').trim()).toBe('checkpoint-3'); // the refused run pruned nothing
  });

  it('a stale lock (its process is gone) is taken over; a failed run releases its lock', async () => {
    const directory = join(root, 'stale');
    mkdirSync(directory);
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number; // a process that has exited
    writeFileSync(join(directory, LOCK_FILE), JSON.stringify({ format: 'tunekit-run-lock', pid: dead, token: 'old', updatedAt: Date.now() }));
    expect((await run(await smallModel(), { checkpoint: { directory } })).step).toBe(3);
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);

    await expect(run(await smallModel(), { checkpoint: { directory: join(root, 'failing') }, onStep: () => { throw new Error('boom'); } })).rejects.toThrow('boom');
    expect(existsSync(join(root, 'failing', LOCK_FILE))).toBe(false);
  });
});
