// A checkpoint that meets a full disk fails with an error naming the step and
// the file, removes what it staged, and leaves the previous checkpoint and
// `latest` intact. Checked through an injected file handle that stops
// accepting bytes (always), and on a real small tmpfs where mounting is allowed.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type CausalLMExample, CheckpointWriteError, createModel, freeze, type GPT2Model, gpt2Tokenizer, readCheckpoint, train, type TrainOptions,
} from '@tunekit/core';
import { nodeFileIO } from '@tunekit/backend-cpu/node';
import { useTmpfs } from './tmpfs';

const root = mkdtempSync(join(tmpdir(), 'tunekit-checkpoint-disk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

const data: CausalLMExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(`the cat sat on mat ${i}`), 50256] }));

async function smallRun(extra: Partial<TrainOptions>): Promise<TrainOptions> {
  const model = await createModel({ embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 64 }, { seed: 3 });
  models.push(model);
  // Only the last block trains, so a checkpoint is ~150 KB and fits a small tmpfs.
  freeze([model], { trainable: ['h.1.'] });
  return { model, task: 'causal-lm', trainData: data, batchSize: 2, maxSteps: 6, seed: 1, optimizer: { learningRate: 1e-3 }, ...extra } as TrainOptions;
}

describe('a checkpoint on a full disk (injected short writes)', () => {
  it('names the step and the file, removes the staging folder, and keeps checkpoint 2 and `latest`', async () => {
    const directory = join(root, 'injected');
    // Writes of checkpoint 4's optimizer file stop after 1000 bytes, as a full disk does.
    const files = nodeFileIO({
      openForWrite: async (path) => {
        const handle = await open(path, 'w');
        const full = path.includes('checkpoint-4') && path.includes('optimizer.safetensors');
        let total = 0;
        return {
          write: async (buffer, offset, length) => {
            const n = full ? Math.max(0, Math.min(length, 1000 - total)) : length;
            total += n;
            return n === 0 ? { bytesWritten: 0 } : handle.write(buffer, offset, n);
          },
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
    });
    const options = await smallRun({ checkpoint: { directory, every: 2, files } });
    const before = tf.memory().numTensors;
    const error = await train(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointWriteError);
    expect(error).toMatchObject({ code: 'disk_full', step: 4, checkpoint: join(directory, 'checkpoint-4') });
    expect((error as CheckpointWriteError).path).toBe(join(directory, 'checkpoint-4.tmp', 'optimizer.safetensors'));
    expect((error as Error).message).toMatch(/checkpoint of step 4 \(.*checkpoint-4\.tmp\/optimizer\.safetensors\)/);
    expect(readdirSync(directory).sort()).toEqual(['checkpoint-2', 'latest']);
    expect(readFileSync(join(directory, 'latest'), 'utf8').trim()).toBe('checkpoint-2');
    expect((await readCheckpoint<{ step: number }>(directory)).state.step).toBe(2);
    expect(tf.memory().numTensors).toBe(before); // the failed run left no tensors behind
  });
});

const tmpfs = useTmpfs('1m', 'the tmpfs checkpoint test');

describe.skipIf(!('path' in tmpfs))('a checkpoint on a real full disk (1 MiB tmpfs)', () => {
  it('ENOSPC names the step and the file, the staging folder goes, the previous checkpoint stays', async () => {
    const disk = (tmpfs as { path: string }).path;
    const directory = join(disk, 'run');
    // Measure one checkpoint elsewhere, then leave room on the tmpfs for about one and a half.
    const probe = join(root, 'probe');
    await train(await smallRun({ maxSteps: 2, checkpoint: { directory: probe } }));
    const size = ['trainable.safetensors', 'optimizer.safetensors', 'trainer-state.json'].reduce((sum, f) => sum + statSync(join(probe, 'checkpoint-2', f)).size, 0);
    const free = 1 << 20;
    writeFileSync(join(disk, 'filler'), new Uint8Array(free - Math.round(size * 1.5) - 64 * 1024));

    const error = await train(await smallRun({ checkpoint: { directory, every: 2, keep: 5 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointWriteError);
    expect(error).toMatchObject({ code: 'disk_full', step: 4 });
    expect((error as Error).message).toMatch(/step 4 \(.*checkpoint-4\.tmp\/(trainable|optimizer)\.safetensors\)/);
    expect(readdirSync(directory).sort()).toEqual(['checkpoint-2', 'latest']);
    expect((await readCheckpoint<{ step: number }>(directory)).state.step).toBe(2);
  });
});
