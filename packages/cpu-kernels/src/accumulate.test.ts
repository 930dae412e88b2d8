/**
 * TunekitAccumulate: sum + part with the bits of tfjs's Add (the native one
 * and the stock JS one), over `sum`'s own array only with `consumesInputs`
 * and only when nothing else can see that array; refusals name the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAccumulate } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { arrayOf, useCpuBackend } from './test-support/cpu-backend';
import { expectSameBytes } from './test-support/compare';
import { nativeSkipReason } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(unregisterNativeCPUKernels);

function accumulate(sum: tf.Tensor, part: tf.Tensor, consumesInputs: boolean): tf.Tensor {
  return tf.engine().runKernel(TunekitAccumulate, { sum, part }, { consumesInputs } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** A tensor whose array a native kernel made (so it may be reused): 0 + x through the native Add. */
function nativeMade(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => tf.add(randomTensor(shape, seed), tf.zeros(shape)));
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitAccumulate}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  it('has the bits of the native and the stock Add, odd shapes included', () => {
    for (const [k, shape] of [[], [1], [7], [3, 5], [0, 4], [33, 65, 3]].entries()) {
      const a = randomTensor(shape, 20 + k);
      const b = randomTensor(shape, 40 + k);
      unregisterNativeCPUKernels();
      const stock = tf.add(a, b);
      registerNativeCPUKernels();
      const native = tf.add(a, b);
      const summed = accumulate(a, b, false);
      expect(summed.shape).toEqual(shape);
      expectSameBytes(Float32Array.from(summed.dataSync()), Float32Array.from(native.dataSync()), `[${shape}] vs native Add`);
      expectSameBytes(Float32Array.from(summed.dataSync()), Float32Array.from(stock.dataSync()), `[${shape}] vs stock Add`);
      tf.dispose([a, b, stock, native, summed]);
    }
  });

  it('with consumesInputs writes over sum when nothing else sees it; the caller disposes sum; memory back to baseline', () => {
    registerNativeCPUKernels();
    const part = randomTensor([64, 33], 2);
    const baseline = tf.memory();
    const sum = nativeMade([64, 33], 1);
    const expected = tf.add(sum, part);
    const array = arrayOf(sum);
    const result = accumulate(sum, part, true);
    sum.dispose();
    expect(arrayOf(result)).toBe(array);
    expectSameBytes(Float32Array.from(result.dataSync()), Float32Array.from(expected.dataSync()), 'in place');
    tf.dispose([result, expected]);
    expect(tf.memory().numTensors).toBe(baseline.numTensors);
    expect(tf.memory().numBytes).toBe(baseline.numBytes);
    part.dispose();
  });

  for (const [label, prepare] of [
    ['without consumesInputs', () => ({ consumes: false, keep: [] as tf.Tensor[] })],
    ['when sum was read out', (sum: tf.Tensor) => {
      sum.dataSync();
      return { consumes: true, keep: [] as tf.Tensor[] };
    }],
    ['when a reshape shares sum', (sum: tf.Tensor) => ({ consumes: true, keep: [tf.reshape(sum, [-1])] })],
    ['when sum is not a native kernel\'s output', () => ({ consumes: true, keep: [] as tf.Tensor[], fresh: true })],
  ] as const) {
    it(`makes a new array ${label}, leaving sum as it was`, () => {
      registerNativeCPUKernels();
      const part = randomTensor([16, 9], 4);
      const made = nativeMade([16, 9], 3);
      const { consumes, keep, fresh } = { fresh: false, ...prepare(made) };
      const sum = fresh ? randomTensor([16, 9], 3) : made;
      const before = Float32Array.from(arrayOf(sum));
      const result = accumulate(sum, part, consumes);
      expect(arrayOf(result)).not.toBe(arrayOf(sum));
      expectSameBytes(arrayOf(sum), before, `${label}: sum unchanged`);
      const expected = tf.add(sum, part);
      expectSameBytes(Float32Array.from(result.dataSync()), Float32Array.from(expected.dataSync()), label);
      tf.dispose([part, made, sum, result, expected, ...keep]);
    });
  }

  it('refuses operands of two shapes or a non-float32 one, naming them', () => {
    registerNativeCPUKernels();
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    const c = tf.zeros([2, 3], 'int32');
    expect(() => accumulate(a, b, false)).toThrow(/TunekitAccumulate.*one shape, got \[2, 3\] and \[3, 2\]/);
    expect(() => accumulate(a, c, false)).toThrow(/TunekitAccumulate.*part must be a float32 tensor/);
    tf.dispose([a, b, c]);
  });
});
