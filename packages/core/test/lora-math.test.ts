// LoRA's pieces checked against plain-JS arithmetic: which modules a config
// targets (PEFT's matching rule), scaling and rsLoRA, the hook's
// y + s·x·Aᵀ·Bᵀ on GPT-2's Conv1D layout and on an nn.Linear-layout head,
// the merge delta, the seeded initialisations and dropout.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoRA, type ForwardContext, type GPT2Model, loadModel, loraScaling, targetsModule } from '@tunekit/core';
import { maxAbsDiff, tinyGPT2Directory } from '@tunekit/core/testing';

let model: GPT2Model;
beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

const evalContext: ForwardContext = { training: false, nextSeed: () => 0 };

/** Row-major [rows, cols] product of plain arrays: a [n, k] · b [k, m]. */
function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((sum, v, k) => sum + v * ((b[k] as number[])[j] as number), 0)));
}
const transpose = (a: number[][]) => (a[0] as number[]).map((_, j) => a.map((row) => row[j] as number));

describe('target modules (PEFT rule)', () => {
  const key = (i: number, module: string) => `transformer.h.${i}.${module}`;
  it('matches by equality or a dotted suffix, regex in full, with an optional layer filter', () => {
    expect(targetsModule(key(0, 'attn.c_proj'), { targetModules: ['c_proj'] })).toBe(true);
    expect(targetsModule(key(0, 'mlp.c_proj'), { targetModules: ['c_proj'] })).toBe(true);
    expect(targetsModule(key(0, 'mlp.c_proj'), { targetModules: ['attn.c_proj'] })).toBe(false);
    expect(targetsModule(key(0, 'attn.c_proj'), { targetModules: ['proj'] })).toBe(false); // suffix must follow a dot
    expect(targetsModule('score', { targetModules: ['score'] })).toBe(true);
    expect(targetsModule(key(1, 'mlp.c_fc'), { targetModules: '.*\\.h\\.1\\..*c_fc' })).toBe(true);
    expect(targetsModule(key(1, 'mlp.c_fc'), { targetModules: 'c_fc' })).toBe(false); // regex must match the whole key
    expect(targetsModule(key(0, 'attn.c_attn'), { targetModules: ['c_attn'], layersToTransform: [1] })).toBe(false);
    expect(targetsModule(key(1, 'attn.c_attn'), { targetModules: ['c_attn'], layersToTransform: 1, layersPattern: 'h' })).toBe(true);
    expect(targetsModule(key(1, 'mlp.c_proj'), { targetModules: 'all-linear' })).toBe(true);
    expect(targetsModule('score', { targetModules: 'all-linear' })).toBe(false); // the output layer stays out, as in PEFT
  });

  it('adapts exactly the matching maps of the model', () => {
    const names = (options: Parameters<typeof createLoRA>[0]) => {
      const adapter = createLoRA(options);
      const targets = adapter.targetNames;
      adapter.dispose();
      return targets;
    };
    expect(names({ model })).toEqual(['h.0.attn.c_attn', 'h.1.attn.c_attn']); // PEFT's GPT-2 default
    expect(names({ model, targetModules: ['attn.c_proj'] })).toEqual(['h.0.attn.c_proj', 'h.1.attn.c_proj']);
    expect(names({ model, targetModules: ['c_proj'], layersToTransform: [1] })).toEqual(['h.1.attn.c_proj', 'h.1.mlp.c_proj']);
    expect(names({ model, targetModules: 'all-linear' })).toHaveLength(8);
    expect(() => createLoRA({ model, targetModules: ['q_proj'] })).toThrow(/match no module; modules are transformer\.h\.0\.attn\.c_attn/);
    expect(() => createLoRA({ model, rank: 0 })).toThrow(/rank must be a positive integer/);
    expect(() => createLoRA({ model, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => createLoRA({ model, targetModules: 'c_.*', layersToTransform: [0] })).toThrow(/cannot be combined/);
  });
});

describe('LoRA arithmetic', () => {
  it('scaling is alpha/r, or alpha/√r with rsLoRA', () => {
    expect(loraScaling({ alpha: 16, rank: 4, useRslora: false })).toBe(4);
    expect(loraScaling({ alpha: 16, rank: 4, useRslora: true })).toBe(8);
  });

  it('the hook adds s·x·Aᵀ·Bᵀ and the merge delta is s·(B·A)ᵀ [in, out] on Conv1D maps', async () => {
    const adapter = createLoRA({ model, rank: 3, alpha: 6, useRslora: true, init: 'random', seed: 9 });
    const scaling = 6 / Math.sqrt(3);
    const a = (await (adapter.parameters().get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight') as tf.Variable).array()) as number[][]; // [r, in]
    const b = (await (adapter.parameters().get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight') as tf.Variable).array()) as number[][]; // [out, r]
    expect([a.length, a[0]?.length, b.length, b[0]?.length]).toEqual([3, 64, 192, 3]);
    const x = Array.from({ length: 2 }, (_, n) => Array.from({ length: 64 }, (_, i) => Math.sin(n * 64 + i)));
    const y = Array.from({ length: 2 }, (_, n) => Array.from({ length: 192 }, (_, j) => Math.cos(n + j)));
    const expected = matmul(matmul(x, transpose(a)), transpose(b)).map((row, n) => row.map((v, j) => ((y[n] as number[])[j] as number) + scaling * v));
    const out = tf.tidy(() => adapter.hooks.linear?.('h.0.attn.c_attn', tf.tensor2d(x), tf.tensor2d(y), evalContext) as tf.Tensor2D);
    expect(maxAbsDiff((await out.array()) as number[][], expected)).toBeLessThan(1e-5);
    const delta = adapter.deltaWeight('h.0.attn.c_attn'); // [in, out]
    const expectedDelta = transpose(matmul(b, a)).map((row) => row.map((v) => v * scaling));
    expect(delta.shape).toEqual([64, 192]);
    expect(maxAbsDiff((await delta.array()) as number[][], expectedDelta)).toBeLessThan(1e-6);
    // Maps the adapter does not target pass through untouched.
    const untouched = tf.tidy(() => adapter.hooks.linear?.('h.0.mlp.c_fc', tf.tensor2d(x), tf.tensor2d(y), evalContext) as tf.Tensor2D);
    expect(maxAbsDiff((await untouched.array()) as number[][], y.map((row) => row.map(Math.fround)))).toBe(0);
    tf.dispose([out, delta, untouched]);
    adapter.dispose();
  });

  it('adapts a head in nn.Linear layout ([out, in]) and merges into it consistently', async () => {
    const weight = tf.variable(tf.randomNormal([2, 64], 0, 0.1, 'float32', 1)); // score: [numLabels, C]
    const adapter = createLoRA({ model, rank: 2, alpha: 4, targetModules: ['score'], extraModules: [{ name: 'score', weight, layout: 'out-in' }], init: 'random', seed: 2 });
    expect([...adapter.parameters().keys()]).toEqual(['base_model.model.score.lora_A.weight', 'base_model.model.score.lora_B.weight']);
    expect(adapter.parameters().get('base_model.model.score.lora_B.weight')?.shape).toEqual([2, 2]);
    const x = tf.randomNormal([3, 64], 0, 1, 'float32', 3) as tf.Tensor2D;
    const hooked = tf.tidy(() => adapter.hooks.linear?.('score', x, tf.matMul(x, weight, false, true), evalContext) as tf.Tensor2D);
    adapter.merge();
    const merged = tf.tidy(() => tf.matMul(x, weight, false, true));
    expect(maxAbsDiff(await merged.data(), await hooked.data())).toBeLessThan(1e-5);
    // While merged, the hook adds nothing (no double counting).
    const whileMerged = tf.tidy(() => adapter.hooks.linear?.('score', x, merged as tf.Tensor2D, evalContext) as tf.Tensor2D);
    expect(maxAbsDiff(await whileMerged.data(), await merged.data())).toBe(0);
    adapter.unmerge();
    tf.dispose([weight, x, hooked, merged, whileMerged]);
    adapter.dispose();
  });
});

describe('initialisation and dropout', () => {
  it('PEFT default: A ~ U(±1/√in) (kaiming-uniform, a=√5), B = 0; gaussian: A ~ N(0, 1/r²); seeded', async () => {
    const adapter = createLoRA({ model, rank: 8, targetModules: ['mlp.c_proj'], seed: 1 });
    const a = Array.from(await (adapter.parameters().get('base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight') as tf.Variable).data());
    const b = Array.from(await (adapter.parameters().get('base_model.model.transformer.h.0.mlp.c_proj.lora_B.weight') as tf.Variable).data());
    const bound = 1 / Math.sqrt(256); // fan_in of mlp.c_proj is innerDim 256
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.95 * bound); // 2048 uniform draws reach the edge
    expect(b.every((v) => v === 0)).toBe(true);
    const again = createLoRA({ model, rank: 8, targetModules: ['mlp.c_proj'], seed: 1 });
    expect(Array.from(await (again.parameters().get('base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight') as tf.Variable).data())).toEqual(a);
    const gaussian = createLoRA({ model, rank: 8, targetModules: ['c_fc'], init: 'gaussian', seed: 1 });
    const g = Array.from(await (gaussian.parameters().get('base_model.model.transformer.h.0.mlp.c_fc.lora_A.weight') as tf.Variable).data());
    const std = Math.sqrt(g.reduce((s, v) => s + v * v, 0) / g.length);
    expect(Math.abs(std - 1 / 8)).toBeLessThan(0.015); // 512 samples
    [adapter, again, gaussian].forEach((x) => x.dispose());
  });

  it('dropout acts only in training, reproducibly for a seed', async () => {
    const adapter = createLoRA({ model, rank: 4, dropout: 0.5, init: 'random', seed: 4 });
    const x = tf.randomNormal([5, 64], 0, 1, 'float32', 8) as tf.Tensor2D;
    const zeros = tf.zeros([5, 192]) as tf.Tensor2D;
    const run = (training: boolean, seed: number) => {
      const context: ForwardContext = { training, nextSeed: () => seed };
      return tf.tidy(() => adapter.hooks.linear?.('h.1.attn.c_attn', x, zeros, context) as tf.Tensor2D);
    };
    const [eval1, eval2, train1, train1Again, train2] = [run(false, 1), run(false, 2), run(true, 1), run(true, 1), run(true, 2)];
    expect(maxAbsDiff(await eval1.data(), await eval2.data())).toBe(0);
    expect(maxAbsDiff(await train1.data(), await train1Again.data())).toBe(0);
    expect(maxAbsDiff(await train1.data(), await eval1.data())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(await train1.data(), await train2.data())).toBeGreaterThan(1e-3);
    tf.dispose([x, zeros, eval1, eval2, train1, train1Again, train2]);
    adapter.dispose();
  });
});
