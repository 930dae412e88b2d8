// leanGradients / leanVariableGrads: the backward pass that frees each node's
// saved tensors and each intermediate gradient as soon as it is done with
// them. The gradients are the same floats as tfjs's own engine.gradients
// (tf.variableGrads), on the fused and the op-by-op path, with dropout; the
// backward's peak is lower; a gradient handed straight through (one tensor
// held by two entries), repeated inputs, the caller's dy and a gradient of a
// gradient come out right; nothing leaks; repeated gradients are summed by
// TunekitAccumulate where the backend has it (same floats).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAccumulate } from '@tunekit/backend-spec';
import { createModel, type GPT2Model, lmCrossEntropy } from '@tunekit/core';
import { leanGradients, leanVariableGrads } from '../src/tf/lean-gradients';
import { expectAllClose, readAll, useNativeBackend } from './fused-kernel-support';
import { onOpPath } from './same-step';

// A small vocabulary, so the transformer's activations, not the LM head, set the peak.
const VOCAB = 1000;
let model: GPT2Model;
let skip: string | undefined;

beforeAll(async () => {
  skip = await useNativeBackend();
  model = await createModel({ vocabSize: VOCAB, embeddingDim: 64, numLayers: 4, numHeads: 4, contextLength: 64 }, { seed: 5 });
});
afterAll(() => model?.dispose());

const ids = Array.from({ length: 4 }, (_, b) => Array.from({ length: 33 }, (_, t) => (t * 131 + b * 977 + 5) % VOCAB));
const inputs = ids.map((row) => row.slice(0, 32));
const labels = ids.flatMap((row) => row.slice(1));

const lossOf = () => lmCrossEntropy(model.transformer(inputs, { training: true, seed: 7 }).hidden, model.params.wte, labels);

/**
 * Loss and every weight's gradient of one training forward (dropout on, fixed
 * seed), and how far the bytes alive rose during the backward above what
 * they were when the loss was built (tfjs's count, from tf.profile's
 * per-kernel snapshots after the loss).
 */
async function gradients(through: typeof leanVariableGrads): Promise<{ values: Float32Array[]; names: string[]; backwardRiseBytes: number }> {
  const variables = [...model.parameters().values()];
  let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  const profiling = (tf.engine().state as unknown as { activeProfile: { kernels: unknown[] } }).activeProfile;
  let kernelsAtLoss = 0;
  let atLoss = 0;
  const profile = await tf.profile(() => {
    out = through(() => {
      const loss = lossOf();
      kernelsAtLoss = profiling.kernels.length;
      atLoss = tf.memory().numBytes;
      return loss;
    }, variables);
    return [out.value, ...Object.values(out.grads)];
  });
  const { value, grads } = out as { value: tf.Scalar; grads: tf.NamedTensorMap };
  const names = variables.map((v) => v.name).filter((name) => grads[name]);
  const values = readAll([value, ...names.map((name) => grads[name] as tf.Tensor)]);
  const backwardPeak = Math.max(...profile.kernels.slice(kernelsAtLoss).map((kernel) => kernel.totalBytesSnapshot));
  return { values, names, backwardRiseBytes: backwardPeak - atLoss };
}

describe('leanVariableGrads', () => {
  for (const path of ['fused', 'op-by-op'] as const) {
    it(`gives tf.variableGrads' floats for every weight of a GPT-2 training step (${path} path), and the backward adds a fraction of the bytes`, async (context) => {
      if (skip) return context.skip(skip);
      const run = async (through: typeof leanVariableGrads) => {
        if (path === 'fused') return gradients(through);
        let result: Awaited<ReturnType<typeof gradients>> | undefined;
        await onOpPath(async () => {
          result = await gradients(through);
        });
        return result as Awaited<ReturnType<typeof gradients>>;
      };
      const baseline = tf.memory().numTensors;
      const stock = await run((loss, variables) => tf.variableGrads(loss, [...variables]));
      const lean = await run(leanVariableGrads);
      expect(lean.names).toEqual(stock.names);
      expect(lean.names.length).toBe(model.parameters().size);
      expectAllClose(lean.values, stock.values, 0, ['loss', ...lean.names]);
      // tfjs's walk ends holding every activation and every intermediate gradient; this one frees them as it goes.
      expect(lean.backwardRiseBytes).toBeLessThan(stock.backwardRiseBytes * 0.5);
      expect(tf.memory().numTensors).toBe(baseline);
    });
  }

  it(`sums repeated gradients with ${TunekitAccumulate} where the backend has it, the tied table's two [V, C] parts among them`, async (context) => {
    if (skip) return context.skip(skip);
    const profile = await tf.profile(() => {
      const { value, grads } = leanVariableGrads(lossOf, [...model.parameters().values()]);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const sums = profile.kernels.filter((k) => k.name === TunekitAccumulate);
    expect(sums.length).toBeGreaterThan(0);
    expect(sums.some((k) => k.inputShapes.every((shape) => shape?.join(',') === `${VOCAB},64`))).toBe(true);
    // No other Add of two [V, C] tensors is left.
    expect(profile.kernels.filter((k) => k.name === 'Add' && k.inputShapes[0]?.join(',') === `${VOCAB},64`)).toHaveLength(0);
  });

  it('refuses no variables, no trainable variables, no connection and a non-scalar loss, leaking nothing', () => {
    const v = tf.variable(tf.ones([3]), true, 'lean-refusals-v');
    const frozen = tf.variable(tf.ones([3]), false, 'lean-refusals-frozen');
    const baseline = tf.memory().numTensors;
    expect(() => leanVariableGrads(() => tf.sum(v), [])).toThrow(/none of the variables/);
    expect(() => leanVariableGrads(() => tf.sum(frozen), [frozen])).toThrow(/none of the variables/);
    expect(() => leanVariableGrads(() => tf.scalar(1), [v])).toThrow(/Cannot find a connection/);
    expect(() => leanVariableGrads(() => tf.mul(v, 2) as unknown as tf.Scalar, [v])).toThrow(/must be a scalar, but has rank 1/);
    expect(() => leanGradients(() => tf.scalar(2), [v])).toThrow(/no recorded op leads from x to y/);
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([v, frozen]);
  });
});

describe('leanGradients', () => {
  it(`never sums over the caller's dy, even where the backend could (${TunekitAccumulate} with consumesInputs only for its own gradients)`, () => {
    const x = tf.tensor1d([0.5, -1.25, 2]);
    // A native kernel's output that was never read out: a backend may overwrite it if told it is consumed.
    const dy = tf.tidy(() => tf.mul(tf.tensor1d([1, 2, 3]), tf.scalar(1)));
    const arrayOfDy = () => Float32Array.from((tf.backend() as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(dy.dataId).values);
    const before = arrayOfDy();
    // y = x + tanh(x): add hands the caller's dy to x unchanged, then tanh's part is added to it.
    const { value, grads } = leanGradients(() => tf.add(x, tf.tanh(x)), [x], dy);
    expect(Array.from(arrayOfDy())).toEqual(Array.from(before));
    const expected = tf.tidy(() => tf.mul(dy, tf.sub(2, tf.square(tf.tanh(x)))));
    expectAllClose(readAll([grads[0] as tf.Tensor]), readAll([expected]), 1e-6, ['dx']);
    tf.dispose([x, dy, value, grads[0] as tf.Tensor, expected]);
  });

  it('a gradient function that hands its dy to two inputs, an input used three times and a pass-through chain give autodiff\'s values', () => {
    const x = tf.tensor1d([0.5, -1.25, 2]);
    const w = tf.tensor1d([3, 0.25, -2]);
    // Identity op whose gradient returns the very dy tensor for both inputs: one tensor, two entries.
    const both = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [a, b] = args as [tf.Tensor, tf.Tensor];
      return { value: tf.add(a, b), gradFunc: (dy: tf.Tensor) => [dy, dy] };
    }) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(both(tf.mul(a, a), tf.mul(a, b)), tf.add(a, tf.exp(b))));
    const baseline = tf.memory().numTensors;
    const lean = leanGradients(() => f(x, w), [x, w]);
    const stock = tf.engine().gradients(() => f(x, w), [x, w]);
    expectAllClose(readAll([lean.value, ...(lean.grads as tf.Tensor[])]), readAll([stock.value, ...stock.grads]), 0, ['value', 'dx', 'dw']);
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([x, w]);
  });

  it('leaves the caller\'s dy alone, returns undefined for an x no path reaches, and supports a gradient of a gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const unused = tf.tensor1d([4]);
    const dy = tf.tensor1d([1, 10, 100]);
    const baseline = tf.memory().numTensors;
    const { value, grads } = leanGradients(() => tf.mul(tf.square(x), 2), [x, unused], dy, true);
    expect(dy.isDisposed).toBe(false);
    expect(grads[1]).toBeUndefined();
    expect(Array.from((grads[0] as tf.Tensor).dataSync())).toEqual([4, 80, 1200]); // 4x · dy
    tf.dispose([value, grads[0] as tf.Tensor]);
    // d/dx of (d/dx x³) = 6x: the inner walk runs inside the outer tape (depth > 0) and keeps the saved tensors.
    const second = leanGradients(() => {
      const inner = leanGradients(() => tf.sum(tf.mul(x, tf.mul(x, x))), [x]);
      inner.value.dispose();
      return tf.sum(inner.grads[0] as tf.Tensor);
    }, [x]);
    expect(Array.from((second.grads[0] as tf.Tensor).dataSync())).toEqual([6, 12, 18]);
    tf.dispose([second.value, second.grads[0] as tf.Tensor]);
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([x, unused, dy]);
  });

  it('frees a node\'s saved tensors and its output\'s gradient before walking on (tf.engine().gradients keeps them to the end)', () => {
    const x = tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]);
    const baseline = tf.memory().numTensors;
    let aliveAtFirstOp = 0;
    // The first op on the tape (so the last one walked) counts the tensors alive when its gradient runs.
    const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const a = args[0] as tf.Tensor;
      return { value: tf.mul(a, 1), gradFunc: (dy: tf.Tensor) => {
        aliveAtFirstOp = tf.memory().numTensors - baseline;
        return tf.mul(dy, 1);
      } };
    }) as (a: tf.Tensor) => tf.Tensor;
    const f = () => {
      let h = probe(x);
      for (let i = 0; i < 20; i++) h = tf.tanh(tf.matMul(h, h)); // matMul saves both inputs, tanh its output
      return tf.sum(h);
    };
    const lean = leanGradients(f, [x]);
    const leanAlive = aliveAtFirstOp;
    const stock = tf.engine().gradients(f, [x]);
    const stockAlive = aliveAtFirstOp;
    expectAllClose(readAll([lean.value, lean.grads[0] as tf.Tensor]), readAll([stock.value, stock.grads[0] as tf.Tensor]), 0, ['value', 'dx']);
    // Lean: the loss, the probe's dy and its saved nothing — a handful, whatever the depth.
    expect(leanAlive).toBeLessThanOrEqual(4);
    // tfjs: 20 × (matMul's 2 saved + tanh's 1 saved + the gradients of matMul's and tanh's outputs + the second matMul part).
    expect(stockAlive).toBeGreaterThanOrEqual(20 * 5);
    expect(tf.memory().numTensors).toBe(baseline);
    x.dispose();
  });
});
