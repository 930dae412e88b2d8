// LoRA's hook keeps less on the tape: output + s·(x·Aᵀ)·Bᵀ with an add and a
// scaling that keep nothing, instead of tf.add and tf.mul (which kept the
// [N, out] update, twice when s ≠ 1). Same bits for the value and every
// gradient, and at least that many fewer bytes alive when the backward starts.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoRA, createModel, type ForwardContext, type GPT2Model } from '@tunekit/core';
import { readAll } from './fused-kernel-support';

let model: GPT2Model;
beforeAll(async () => {
  model = await createModel({ embeddingDim: 16, numLayers: 1, numHeads: 2, contextLength: 16 }, { seed: 1 });
});
afterAll(() => model.dispose());

const training: ForwardContext = { training: true, nextSeed: () => 5 };
const [ROWS, IN, OUT] = [37, 16, 48];

/** Value and gradients (x, output, A, B) of sum(f · dy), and the bytes alive when the backward starts. */
function run(f: (x: tf.Tensor2D, output: tf.Tensor2D) => tf.Tensor, params: tf.Variable[]) {
  const [x, output] = [[ROWS, IN], [ROWS, OUT]].map((shape, i) => {
    const initial = tf.randomUniform(shape, -1, 1, 'float32', 7 + i);
    const variable = tf.variable(initial);
    initial.dispose();
    return variable;
  }) as [tf.Variable, tf.Variable];
  const dy = tf.randomUniform([ROWS, OUT], -1, 1, 'float32', 9);
  let bytesInBackward = 0;
  const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.sum(tf.mul(args[0] as tf.Tensor, dy)),
    gradFunc: (g: tf.Tensor) => {
      bytesInBackward = tf.memory().numBytes;
      return tf.mul(dy, g);
    },
  })) as (y: tf.Tensor) => tf.Scalar;
  const variables = [x, output, ...params];
  const { value, grads } = tf.variableGrads(() => probe(f(x as tf.Variable as unknown as tf.Tensor2D, output as tf.Variable as unknown as tf.Tensor2D)), variables);
  const out = readAll([value, ...variables.map((v) => grads[v.name] as tf.Tensor)]);
  tf.dispose([x, output, dy]);
  return { out, bytesInBackward };
}

describe('LoRA hook on the tape', () => {
  for (const alpha of [4, 10]) {
    it(`alpha ${alpha} (scaling ${alpha / 4}): the bits of tf.add(output, tf.mul(x·Aᵀ·Bᵀ, s)), without keeping the update`, () => {
      const adapter = createLoRA({ model, rank: 4, alpha, init: 'random', targetModules: ['c_attn'], seed: 3 });
      const [a, b] = [...adapter.parameters().values()] as [tf.Variable, tf.Variable];
      const start = tf.memory().numBytes;
      const ours = run((x, output) => adapter.hooks.linear!('h.0.attn.c_attn', x, output, training), [a, b]);
      const before = run((x, output) => tf.add(output, tf.mul(tf.matMul(tf.matMul(x, a, false, true), b, false, true), adapter.scaling)), [a, b]);
      ours.out.forEach((values, i) => expect([...values], ['value', 'dx', 'doutput', 'dA', 'dB'][i]).toEqual([...(before.out[i] as Float32Array)]));
      const update = ROWS * OUT * 4;
      expect(tf.memory().numBytes).toBe(start); // the runs leave nothing behind, so their bytes compare
      expect(before.bytesInBackward - ours.bytesInBackward).toBeGreaterThanOrEqual(adapter.scaling === 1 ? update : 2 * update);
      adapter.dispose();
    });
  }
});
