// The ops that keep less on the tape (addBias, residualAdd, the native
// dropout): same values and gradients as tf.add / tf.mul, and the tensor
// tf.add would have kept (the matMul output, the dropped-out branch) is
// freed before the backward runs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TunekitDropoutMask } from '@tunekit/backend-spec';
import { addBias, dropout, residualAdd } from '../src/model/layers';
import type { ForwardContext } from '../src/model/hooks';
import { expectAllClose, readAll, useNativeBackend } from './fused-kernel-support';

const engineInfo = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, unknown> } }).state.tensorInfo;
let skip: string | undefined;
beforeAll(async () => {
  skip = await useNativeBackend();
});

/**
 * Value and gradients of sum(op(a, b) · dy) for the trainable inputs, and
 * whether the buffer of `watch(a, b)` (made in the forward) is still alive
 * when the backward starts.
 */
function run(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a0: tf.Tensor, b0: tf.Tensor, dy: tf.Tensor, intermediate: (a: tf.Tensor) => tf.Tensor, trainB = true) {
  const a = tf.variable(a0);
  const b = tf.variable(b0, trainB);
  let watched: object | undefined;
  let aliveInBackward: boolean | undefined;
  const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const y = args[0] as tf.Tensor;
    return {
      value: tf.sum(tf.mul(y, dy)),
      gradFunc: (g: tf.Tensor) => {
        aliveInBackward = engineInfo.has(watched as object);
        return tf.mul(dy, g);
      },
    };
  }) as (y: tf.Tensor) => tf.Scalar;
  const { value, grads } = tf.variableGrads(() => {
    const m = intermediate(a);
    watched = m.dataId;
    return probe(op(m, b));
  }, trainB ? [a, b] : [a]);
  const out = readAll([value, ...(trainB ? [grads[a.name], grads[b.name]] : [grads[a.name]]) as tf.Tensor[]]);
  tf.dispose([a, b]);
  return { out, aliveInBackward };
}

describe('ops that keep less on the tape', () => {
  const context: ForwardContext = { training: true, nextSeed: () => 42 };

  it('addBias: same value, dx and db as tf.add; the [N, out] input is freed before the backward', () => {
    const x = tf.randomUniform([37, 129], -1, 1, 'float32', 1);
    const bias = tf.randomUniform([129], -1, 1, 'float32', 2);
    const dy = tf.randomUniform([37, 129], -1, 1, 'float32', 3);
    const scaled = (a: tf.Tensor) => tf.mul(a, 2);
    const ours = run(addBias, x, bias, dy, scaled);
    const stock = run((m, b) => tf.add(m, b), x, bias, dy, scaled);
    expectAllClose(ours.out, stock.out, 0, ['value', 'dx', 'db']);
    expect(stock.aliveInBackward).toBe(true); // what tf.add keeps
    expect(ours.aliveInBackward).toBe(false);
    tf.dispose([x, bias, dy]);
  });

  it('residualAdd: same value and gradients as tf.add; the branch is freed before the backward; shapes must match', () => {
    const x = tf.randomUniform([2, 7, 33], -1, 1, 'float32', 4);
    const y = tf.randomUniform([2, 7, 33], -1, 1, 'float32', 5);
    const dy = tf.randomUniform([2, 7, 33], -1, 1, 'float32', 6);
    const branch = (a: tf.Tensor) => tf.mul(a, 3);
    const ours = run((m, b) => residualAdd(b, m), x, y, dy, branch);
    const stock = run((m, b) => tf.add(b, m), x, y, dy, branch);
    expectAllClose(ours.out, stock.out, 0, ['value', 'dx', 'dy']);
    expect(stock.aliveInBackward).toBe(true);
    expect(ours.aliveInBackward).toBe(false);
    expect(() => residualAdd(tf.zeros([2, 3]), tf.zeros([3]))).toThrow(/shapes differ/);
    tf.dispose([x, y, dy]);
  });

  it('native dropout: same value and gradient as x · mask with tf.mul; x is freed before the backward', (ctx) => {
    if (skip) return ctx.skip(skip);
    const x = tf.randomUniform([4, 9, 16], -1, 1, 'float32', 7);
    const dy = tf.randomUniform([4, 9, 16], -1, 1, 'float32', 8);
    const mask = tf.engine().runKernel(TunekitDropoutMask, {}, { shape: [4, 9, 16], rate: 0.25, seed: 42 }) as tf.Tensor;
    const branch = (a: tf.Tensor) => tf.mul(a, 3);
    const ours = run((m) => dropout(m, 0.25, context), x, mask, dy, branch, false);
    const stock = run((m, b) => tf.mul(m, b), x, mask, dy, branch, false);
    expectAllClose(ours.out, stock.out, 0, ['value', 'dx']);
    expect(stock.aliveInBackward).toBe(true);
    expect(ours.aliveInBackward).toBe(false);
    tf.dispose([x, dy, mask]);
  });
});
