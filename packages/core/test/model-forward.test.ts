// Properties of the forward pass beyond the golden values: vocabulary
// chunking, padding masks, the KV cache, input checks, and memory.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GPT2Model, GPT2Model as Model, IGNORE_INDEX, KVCache, lmCrossEntropy, loadModel, parseSafetensors } from '@tunekit/core';
import { goldenSequence, loadGolden, maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const golden = loadGolden();
const ids40 = goldenSequence(golden, { name: 'ids40' }).ids;
let model: GPT2Model;
let chunked: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
  // The same weights with wte split into 3 chunks, as on a WebGPU adapter with a small binding limit.
  const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(tinyGPT2Directory(), 'model.safetensors'))));
  chunked = Model.fromValues(model.config, (name) => tensors.get(name)?.data as Float32Array, { vocabChunkRows: 20_000 });
});
afterAll(() => {
  model.dispose();
  chunked.dispose();
});

async function lossAndWteGrad(m: GPT2Model): Promise<{ loss: number; grad: Float32Array }> {
  const labels = [...ids40.slice(1), IGNORE_INDEX];
  const { value, grads } = tf.variableGrads(() => lmCrossEntropy(m.transformer([ids40]).hidden, m.params.wte, labels, { tokenChunk: 7 }), m.params.wte.chunks);
  const parts = await Promise.all(m.params.wte.chunks.map((c) => (grads[c.name] as tf.Tensor).data()));
  const grad = new Float32Array(m.config.vocabSize * m.config.embeddingDim);
  let offset = 0;
  for (const part of parts) {
    grad.set(part as Float32Array, offset);
    offset += part.length;
  }
  const loss = (await value.data())[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grad };
}

describe('forward pass', () => {
  it('a vocabulary split into chunks gives the same logits, loss and wte gradient', async () => {
    expect(chunked.params.wte.chunks.map((c) => c.shape[0])).toEqual([16753, 16753, 16751]);
    const a = model.forward([ids40]).logits;
    const b = chunked.forward([ids40]).logits;
    expect(maxAbsDiff(await a.data(), await b.data())).toBeLessThan(1e-5);
    tf.dispose([a, b]);
    const whole = await lossAndWteGrad(model);
    const split = await lossAndWteGrad(chunked);
    expect(Math.abs(whole.loss - split.loss)).toBeLessThan(1e-5);
    expect(maxAbsDiff(whole.grad, split.grad)).toBeLessThan(1e-6);
  });

  it('masked keys are ignored: changing a masked token changes no other position', async () => {
    const other = [...ids40];
    other[5] = 123;
    const mask = tf.tensor2d([ids40.map((_, t) => (t === 5 ? 0 : 1)), ids40.map((_, t) => (t === 5 ? 0 : 1))]);
    const { logits } = model.forward([ids40, other], { attentionMask: mask });
    const values = (await logits.array()) as number[][][];
    const rows = (b: number) => (values[b] as number[][]).filter((_, t) => t !== 5);
    expect(maxAbsDiff(rows(0), rows(1))).toBeLessThan(1e-5);
    tf.dispose([logits, mask]);
  });

  it('feeding tokens one by one through a KV cache gives the full-sequence logits', async () => {
    const full = model.forward([ids40.slice(0, 12)]).logits;
    const expected = (await full.array()) as number[][][];
    const cache = new KVCache();
    for (let t = 0; t < 12; t++) {
      const step = model.forward([[ids40[t] as number]], { cache }).logits;
      const row = ((await step.array()) as number[][][])[0]?.[0] as number[];
      expect(maxAbsDiff(row, expected[0]?.[t] as number[])).toBeLessThan(1e-4);
      step.dispose();
    }
    expect(cache.length).toBe(12);
    cache.dispose();
    full.dispose();
  });

  it('rejects bad ids and over-long inputs with clear messages', () => {
    expect(() => model.forward([[1, 50257]])).toThrow(/inputIds\[0\]\[1\] = 50257 is not a token id/);
    expect(() => model.forward([[1, 2], [3]])).toThrow(/equal length/);
    expect(() => model.forward([Array.from({ length: 129 }, () => 1)])).toThrow(/exceed the context length 128/);
  });

  it('dropout is active only in training and is reproducible per seed', async () => {
    const dropoutModel = Model.fromValues({ ...model.config, residualDropout: 0.5, embeddingDropout: 0.1, attentionDropout: 0.1 }, (name) => {
      const v = model.parameters().get(name);
      return (v ? v.dataSync() : model.params.wte.chunks[0]?.dataSync()) as Float32Array;
    });
    const run = async (options: { training?: boolean; seed?: number }) => {
      const { hidden } = dropoutModel.transformer([ids40.slice(0, 8)], options);
      const values = Array.from(await hidden.data());
      hidden.dispose();
      return values;
    };
    expect(await run({})).toEqual(await run({}));
    expect(await run({ training: true, seed: 3 })).toEqual(await run({ training: true, seed: 3 }));
    expect(maxAbsDiff(await run({ training: true, seed: 3 }), await run({ training: true, seed: 4 }))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(await run({ training: true, seed: 3 }), await run({}))).toBeGreaterThan(1e-3);
    dropoutModel.dispose();
  });

  it('repeated forward passes leave no tensors behind', async () => {
    const once = () => {
      const out = model.forward([ids40], { outputHiddenStates: true });
      tf.dispose([out.logits, out.hidden, ...(out.hiddenStates ?? [])]);
    };
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(before);
  });
});
