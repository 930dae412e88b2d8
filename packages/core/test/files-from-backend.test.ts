// Core has no file access of its own: saving, loading a folder, checkpoints
// and resuming use the model's backend's `files` when none are given. Checked
// with a CPU backend whose files are an in-memory FileIO (as a browser's
// OPFS storage would be): everything lands there and nothing on the disk.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCPUBackend, cpuBackend } from '@tunekit/backend-cpu';
import { type CausalLMExample, createModel, FileNotFoundError, type FileIO, type GPT2Model, gpt2Tokenizer, loadModel, saveModel, train } from '@tunekit/core';

/** A FileIO over a Map: files by path; directories are implied by their files' paths. */
function memoryFiles(): FileIO & { paths(): string[] } {
  const store = new Map<string, Uint8Array>();
  const under = (dir: string) => [...store.keys()].filter((p) => p.startsWith(`${dir}/`));
  const toBytes = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  return {
    paths: () => [...store.keys()].sort(),
    async readFile(path) {
      const bytes = store.get(path);
      if (!bytes) throw new FileNotFoundError(path);
      return bytes;
    },
    async writeFileAtomic(path, data) {
      store.set(path, toBytes(data));
    },
    async writeChunksAtomic(path, chunks) {
      const parts = [...chunks];
      const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let offset = 0;
      for (const part of parts) {
        whole.set(part, offset);
        offset += part.byteLength;
      }
      store.set(path, whole);
    },
    exists: async (path) => store.has(path) || under(path).length > 0,
    makeDirectory: async () => undefined,
    listDirectory: async (dir) => [...new Set(under(dir).map((p) => p.slice(dir.length + 1).split('/')[0]!))],
    async rename(from, to) {
      const moved = store.has(from) ? [from] : under(from);
      if (!moved.length) throw new FileNotFoundError(from);
      for (const path of moved) {
        store.set(to + path.slice(from.length), store.get(path)!);
        store.delete(path);
      }
    },
    async remove(path) {
      for (const p of [path, ...under(path)]) store.delete(p);
    },
  };
}

const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

const data: CausalLMExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(`the cat sat ${i}`), 50256] }));
const config = { embeddingDim: 16, numLayers: 1, numHeads: 2, contextLength: 32 };
// An absolute path that would be writable on this machine, so a fallback to Node's fs would show up there.
const root = join(tmpdir(), `tunekit-memory-${process.pid}-${Date.now()}`);

describe('file access comes from the model’s backend', () => {
  it('the default CPU backend brings Node’s file system in Node', () => {
    expect(cpuBackend.files).toBeDefined();
  });

  it('checkpoints, resume, saveModel and loadModel use backend.files when no files are given', async () => {
    const files = memoryFiles();
    const backend = createCPUBackend({ prefer: ['cpu'], files });
    const model = await createModel(config, { seed: 1, backend });
    models.push(model);
    const directory = join(root, 'run');
    const first = await train({ model, task: 'causal-lm', trainData: data, batchSize: 2, maxSteps: 2, seed: 3, checkpoint: { directory, every: 1 } });
    expect(first.step).toBe(2);
    expect(files.paths()).toContain(join(directory, 'latest'));
    expect(files.paths()).toContain(join(directory, 'checkpoint-2', 'trainer-state.json'));

    const resumed = await train({ model, task: 'causal-lm', trainData: data, batchSize: 2, maxSteps: 3, seed: 3, checkpoint: { directory, every: 1 }, resumeFrom: directory });
    expect(resumed.step).toBe(3);
    expect(files.paths()).toContain(join(directory, 'checkpoint-3', 'trainer-state.json'));

    const saved = join(root, 'saved');
    await saveModel({ model, directory: saved });
    expect(files.paths()).toEqual(expect.arrayContaining([join(saved, 'config.json'), join(saved, 'model.safetensors')]));
    const loaded = await loadModel({ source: saved, backend });
    models.push(loaded);
    const original = await model.parameters().get('h.0.attn.c_attn.weight')!.data();
    expect(Array.from(await loaded.parameters().get('h.0.attn.c_attn.weight')!.data())).toEqual(Array.from(original));

    // Nothing went to Node's file system.
    expect(existsSync(root)).toBe(false);
  });
});
