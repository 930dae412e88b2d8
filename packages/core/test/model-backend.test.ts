// A model keeps the backend it was created on: the loss sizes its chunks from
// that backend's binding limit even after another backend was started or the
// application switched tfjs engines itself, and saveModel writes through
// that backend's files.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { type BackendV1, createModel, type FileIO, type GPT2Model, lmCrossEntropy, saveModel } from '@tunekit/core';

const SMALL = { vocabSize: 96, embeddingDim: 32, numLayers: 1, numHeads: 2, contextLength: 32 };
const LIMIT_BYTES = 4096; // table chunks of ⌊0.9·4096 / (32·4)⌋ = 28 rows → 4 chunks; loss chunks of ⌊0.9·4096 / (96·4)⌋ = 9 tokens

/** Files in a Map: enough for saveModel. */
function memoryFiles(): FileIO & { written: Map<string, Uint8Array> } {
  const written = new Map<string, Uint8Array>();
  const bytes = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data);
  return {
    written,
    readFile: async (path) => written.get(path) ?? Promise.reject(new Error(`${path} not found`)),
    writeFileAtomic: async (path, data) => void written.set(path, bytes(data)),
    exists: async (path) => written.has(path),
    makeDirectory: async () => {},
    listDirectory: async () => [],
    rename: async (from, to) => void written.set(to, written.get(from) as Uint8Array),
    remove: async (path) => void written.delete(path),
  };
}

/** The CPU backend claiming a WebGPU-like binding limit, with its own files. */
function limitedBackend(files: FileIO): BackendV1 {
  const inner = createCPUBackend({ prefer: ['cpu'] });
  return {
    specificationVersion: 'v1',
    name: 'limited-cpu',
    files,
    doInit: () => inner.doInit(),
    doCapabilities: () => ({ ...inner.doCapabilities(), maxBindingBytes: LIMIT_BYTES }),
  };
}

async function matMulsOfLoss(model: GPT2Model, tokens: number): Promise<number> {
  const hidden = tf.randomNormal([1, tokens, SMALL.embeddingDim], 0, 1, 'float32', 1);
  const labels = Array.from({ length: tokens }, (_, i) => i % SMALL.vocabSize);
  const profile = await tf.profile(() => lmCrossEntropy(hidden, model.params.wte, labels));
  hidden.dispose();
  tf.dispose(profile.result as tf.Tensor);
  return profile.kernels.filter((k) => k.name === 'BatchMatMul').length;
}

const models: GPT2Model[] = [];
afterEach(() => models.splice(0).forEach((m) => m.dispose()));

describe('a model carries its backend', () => {
  it('sizes the loss chunks from its own backend after another backend started and tf.setBackend was called directly', async () => {
    const files = memoryFiles();
    const limited = limitedBackend(files);
    const model = await createModel(SMALL, { backend: limited, seed: 1 });
    models.push(model);
    expect(model.backend?.backend).toBe(limited);
    expect(model.params.wte.chunks).toHaveLength(4);
    // Another model on an unlimited backend, then the application selects a tfjs engine itself.
    models.push(await createModel(SMALL, { backend: createCPUBackend({ prefer: ['cpu'] }), seed: 2 }));
    await tf.setBackend('cpu');
    // 20 tokens in chunks of 9 → 3 token chunks, each against 4 table chunks.
    expect(await matMulsOfLoss(model, 20)).toBe(3 * 4);
  });

  it('saveModel writes through the files of the model’s backend', async () => {
    const files = memoryFiles();
    const model = await createModel(SMALL, { backend: limitedBackend(files), seed: 3 });
    models.push(model);
    models.push(await createModel(SMALL, { backend: createCPUBackend({ prefer: ['cpu'] }), seed: 4 })); // started last: must not matter
    await saveModel({ model, directory: 'out' });
    expect([...files.written.keys()].sort()).toEqual(['out/config.json', 'out/model.safetensors']);
  });
});
