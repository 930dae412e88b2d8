// The wasm flavour's Identity shares its input's buffer (as tfjs's cpu
// backend does) instead of copying it: the tape's saved tensors (engine.clone
// runs Identity) no longer double the bytes on the 4 GiB wasm heap. Values,
// reference counting and a gradient through saved inputs stay right.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCPUBackend } from './index';

const wasm = createCPUBackend({ prefer: ['wasm'] });
interface WasmBackendInternals { refCount(dataId: object): number }
const backendInternals = () => tf.backend() as unknown as WasmBackendInternals;

beforeAll(async () => {
  await wasm.doInit();
});
afterAll(async () => {
  await wasm.doDispose?.();
});

describe('wasm Identity', () => {
  it('shares the buffer and counts a reference: the clone outlives the original, both freed frees it', () => {
    expect(tf.getBackend()).toBe('wasm');
    const baseline = tf.memory().numTensors;
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(backendInternals().refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(backendInternals().refCount(y.dataId)).toBe(1);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const dataId = y.dataId;
    y.dispose();
    expect(backendInternals().refCount(dataId)).toBe(0);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('the tape saves inputs without new buffers, and a gradient computed from them is right', () => {
    const n = 512;
    const w = tf.fill([n, n], 0.5);
    const x = tf.ones([3, n]);
    const backend = tf.backend();
    // x·W keeping x and W for its gradient through the tape's save (engine.clone → Identity), as tfjs's matMul does.
    const product = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      save([a, b]);
      return { value: tf.matMul(a, b), gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, savedB as tf.Tensor2D, false, true), tf.matMul(savedA as tf.Tensor2D, dy as tf.Tensor2D, true, false)] };
    }) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    let buffersAdded = 0;
    const dy = tf.ones([3, n]);
    const { value, grads } = tf.engine().gradients(() => {
      const before = backend.numDataIds();
      const y = product(x, w);
      buffersAdded = backend.numDataIds() - before;
      return y;
    }, [w], dy);
    expect(buffersAdded).toBe(1); // the product only; a copying Identity adds two more (1 MiB + 6 KiB)
    expect(Array.from(new Set(value.dataSync()))).toEqual([n * 0.5]);
    // d sum(x·W) / dW = xᵀ · ones = 3 everywhere.
    expect(Array.from(new Set((grads[0] as tf.Tensor).dataSync()))).toEqual([3]);
    tf.dispose([value, ...grads, w, x, dy]);
  });
});
