// Gradients of the "hello" loss with respect to every base tensor, against
// the PyTorch reference (`full_gradients_hello`): the wte gradient includes
// the tied LM head's contribution.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GPT2Model, IGNORE_INDEX, lmCrossEntropy, loadModel } from '@tunekit/core';
import { goldenSequence, loadGolden, tinyGPT2Directory } from '@tunekit/core/testing';

const TOLERANCE = 1e-4;
const golden = loadGolden();
let model: GPT2Model;

beforeAll(async () => {
  model = await loadModel({ source: tinyGPT2Directory() });
});
afterAll(() => model.dispose());

/** Shifted labels: position t predicts ids[t+1]; the last position predicts nothing. */
function nextTokenLabels(ids: number[]): number[] {
  return [...ids.slice(1), IGNORE_INDEX];
}

async function helloGradients(recompute: boolean): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const hello = goldenSequence(golden, { name: 'hello' });
  const variables = model.parameters();
  const { value, grads } = tf.variableGrads(() => {
    const { hidden } = model.transformer([hello.ids]);
    return lmCrossEntropy(hidden, model.params.wte, nextTokenLabels(hello.ids), { recompute });
  }, [...variables.values()]);
  const byName = new Map<string, Float32Array>();
  for (const [name, variable] of variables) {
    const grad = grads[variable.name];
    if (!grad) throw new Error(`no gradient for ${name}`);
    byName.set(name, (await grad.data()) as Float32Array);
  }
  const loss = (await value.data())[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: byName };
}

function norm(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

describe.each([false, true])('full gradients of the hello loss (recompute logits: %s)', (recompute) => {
  it('loss and every tensor gradient norm and first values match within 1e-4', async () => {
    const expected = golden.full_gradients_hello;
    const { loss, grads } = await helloGradients(recompute);
    expect(Math.abs(loss - goldenSequence(golden, { name: 'hello' }).loss)).toBeLessThan(TOLERANCE);
    expect(new Set(grads.keys())).toEqual(new Set(Object.keys(expected.norms)));
    let worstNorm = 0;
    for (const [name, expectedNorm] of Object.entries(expected.norms)) {
      const diff = Math.abs(norm(grads.get(name) as Float32Array) - expectedNorm);
      worstNorm = Math.max(worstNorm, diff);
      expect(diff, name).toBeLessThan(TOLERANCE);
    }
    let worstValue = 0;
    for (const [name, first4] of Object.entries(expected.first4)) {
      const actual = Array.from((grads.get(name) as Float32Array).subarray(0, 4));
      actual.forEach((v, i) => {
        worstValue = Math.max(worstValue, Math.abs(v - (first4[i] as number)));
        expect(Math.abs(v - (first4[i] as number)), `${name}[${i}]`).toBeLessThan(TOLERANCE);
      });
    }
    console.log(`gradients (recompute=${recompute}): max |norm diff| ${worstNorm.toExponential(2)}, max |value diff| ${worstValue.toExponential(2)}`);
  });
});

describe('memory', () => {
  it('repeated gradient computations leave no tensors behind', async () => {
    await helloGradients(false);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await helloGradients(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
