// Loading the Hugging Face layout from a directory, a URL (a local HTTP
// server) and bytes; saving and reloading; and errors that name the tensor.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadProgress, createModel, loadModel, parseSafetensors, saveModel, serializeSafetensors } from '@tunekit/core';
import { goldenSequence, loadGolden, tinyGPT2Directory } from '@tunekit/core/testing';

const fixture = tinyGPT2Directory();
const golden = loadGolden();
const hello = goldenSequence(golden, { name: 'hello' });
let server: Server;
let baseUrl: string;
const scratch = mkdtempSync(join(tmpdir(), 'tunekit-load-'));

beforeAll(async () => {
  server = createServer((request, response) => {
    const file = join(fixture, (request.url ?? '/').replace(/^\/tiny\//, ''));
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-length': body.byteLength });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/tiny`;
});
afterAll(() => {
  server.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function helloLogitsRow0(model: Awaited<ReturnType<typeof loadModel>>): Promise<number[]> {
  const { logits } = model.forward([hello.ids]);
  const row = Array.from(((await logits.data()) as Float32Array).subarray(0, 8));
  logits.dispose();
  return row;
}

/** Copies the fixture into a scratch directory with the weights transformed. */
function variant(name: string, transform: (tensors: Map<string, { shape: number[]; data: Float32Array }>) => void): string {
  const directory = join(scratch, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'config.json'), readFileSync(join(fixture, 'config.json')));
  const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(fixture, 'model.safetensors'))));
  const map = new Map([...tensors].map(([key, t]) => [key, { shape: t.shape, data: t.data as Float32Array }]));
  transform(map);
  writeFileSync(join(directory, 'model.safetensors'), serializeSafetensors(map));
  return directory;
}

describe('loadModel', () => {
  it('loads from a URL with progress reports and gives the golden logits', async () => {
    const progress: LoadProgress[] = [];
    const model = await loadModel({ source: baseUrl, onProgress: (p) => progress.push(p) });
    const row = await helloLogitsRow0(model);
    row.forEach((v, i) => expect(Math.abs(v - (hello.logits_first8[0]?.[i] as number))).toBeLessThan(1e-4));
    const last = progress[progress.length - 1] as LoadProgress;
    expect(last.totalBytes).toBe(readFileSync(join(fixture, 'model.safetensors')).byteLength);
    expect(last.loadedBytes).toBe(last.totalBytes);
    expect(progress.length).toBeGreaterThan(1);
    model.dispose();
  });

  it('loads from in-memory bytes', async () => {
    const model = await loadModel({
      source: {
        config: readFileSync(join(fixture, 'config.json'), 'utf8'),
        weights: new Uint8Array(readFileSync(join(fixture, 'model.safetensors'))),
      },
    });
    expect(await helloLogitsRow0(model)).toEqual(await (async () => {
      const reference = await loadModel({ source: fixture });
      const row = await helloLogitsRow0(reference);
      reference.dispose();
      return row;
    })());
    model.dispose();
  });

  it('accepts the transformer. prefix and ignores attn.bias buffers and a stored lm_head', async () => {
    const directory = variant('prefixed', (map) => {
      for (const [key, value] of [...map]) {
        map.delete(key);
        map.set(`transformer.${key}`, value);
      }
      map.set('transformer.h.0.attn.bias', { shape: [1, 1, 4, 4], data: new Float32Array(16).fill(1) });
      map.set('lm_head.weight', map.get('transformer.wte.weight') as { shape: number[]; data: Float32Array });
    });
    const model = await loadModel({ source: directory });
    const row = await helloLogitsRow0(model);
    row.forEach((v, i) => expect(Math.abs(v - (hello.logits_first8[0]?.[i] as number))).toBeLessThan(1e-4));
    model.dispose();
  });

  it('names the tensor and both shapes when a tensor is mis-shaped, missing or unknown', async () => {
    const misShaped = variant('mis-shaped', (map) => map.set('h.1.mlp.c_fc.weight', { shape: [256, 64], data: new Float32Array(256 * 64) }));
    await expect(loadModel({ source: misShaped })).rejects.toThrow(/tensor "h\.1\.mlp\.c_fc\.weight" has shape \[256,64\], config\.json implies \[64,256\]/);
    const missing = variant('missing', (map) => map.delete('ln_f.bias'));
    await expect(loadModel({ source: missing })).rejects.toThrow(/missing 1 tensor\(s\): "ln_f\.bias" \[64\]/);
    const unknown = variant('unknown', (map) => map.set('h.7.mlp.c_fc.weight', { shape: [2], data: new Float32Array(2) }));
    await expect(loadModel({ source: unknown })).rejects.toThrow(/unexpected tensor "h\.7\.mlp\.c_fc\.weight"/);
    await expect(loadModel({ source: join(scratch, 'nowhere') })).rejects.toThrow(/Cannot load/);
    await expect(loadModel({ source: `${baseUrl}/missing-dir` })).rejects.toThrow(/HTTP 404/);
  });

  it('saveModel writes a directory that loads back to identical weights, atomically (no temp files left)', async () => {
    const model = await loadModel({ source: fixture });
    const out = join(scratch, 'saved');
    await saveModel({ model, directory: out });
    expect(readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors']);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, n_positions: 128, vocab_size: 50257 });
    const reloaded = await loadModel({ source: out });
    for (const [name, variable] of model.parameters()) {
      const other = reloaded.parameters().get(name) as tf.Variable;
      expect(Array.from(await other.data())).toEqual(Array.from(await variable.data()));
    }
    model.dispose();
    reloaded.dispose();
  });

  it('createModel builds a random model with the requested shape, deterministically per seed', async () => {
    const a = await createModel({ embeddingDim: 32, numLayers: 1, numHeads: 2, contextLength: 16, vocabSize: 100 }, { seed: 7 });
    const b = await createModel({ embeddingDim: 32, numLayers: 1, numHeads: 2, contextLength: 16, vocabSize: 100 }, { seed: 7 });
    expect(a.config.innerDim).toBe(128);
    expect(Array.from(await (a.parameters().get('h.0.attn.c_attn.weight') as tf.Variable).data())).toEqual(
      Array.from(await (b.parameters().get('h.0.attn.c_attn.weight') as tf.Variable).data()),
    );
    a.dispose();
    b.dispose();
  });
});
