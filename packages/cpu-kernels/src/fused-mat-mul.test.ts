/** Native _FusedMatMul (tf.fused.matMul) vs stock: bias broadcasting and every activation, forward and gradients. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectSameAsStockInModes } from './test-support/compare';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'prelu' | 'leakyrelu' | 'sigmoid';
const ACTIVATIONS: Activation[] = ['linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid'];

beforeAll(useCpuBackend);

afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

describe.skipIf(nativeSkipReason !== undefined)(`_FusedMatMul native vs stock${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  const modes = runnableModes();

  for (const activation of ACTIVATIONS) {
    for (const [transposeA, transposeB] of [[false, false], [true, true]] as const) {
      it(`${activation}, bias [n], transposeA=${transposeA} transposeB=${transposeB}`, () => {
        const a = randomTensor(transposeA ? [2, 21, 17] : [2, 17, 21], 1, 3);
        const b = randomTensor(transposeB ? [19, 21] : [21, 19], 2);
        const bias = randomTensor([19], 3);
        const preluActivationWeights = activation === 'prelu' ? randomTensor([19], 4) : undefined;
        expectSameAsStockInModes(
          () => tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation, preluActivationWeights, leakyreluAlpha: 0.3 }),
          modes, setMode, 1e-4, activation,
        );
        tf.dispose([a, b, bias]);
        preluActivationWeights?.dispose();
      });
    }
  }

  it('bias broadcast over [m, n] and no bias', () => {
    const a = randomTensor([13, 9], 5);
    const b = randomTensor([9, 7], 6);
    const bias = randomTensor([13, 7], 7);
    expectSameAsStockInModes(() => [tf.fused.matMul({ a, b, bias }), tf.fused.matMul({ a, b, activation: 'relu' })], modes, setMode, 1e-4, 'bias 2d');
    tf.dispose([a, b, bias]);
  });

  it('gradients equal stock (bias + relu)', () => {
    const a = randomTensor([11, 15], 8);
    const b = randomTensor([15, 6], 9);
    const bias = randomTensor([6], 10);
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' })));
    expectSameAsStockInModes(() => grads([a, b, bias]), modes, setMode, 1e-4, 'fused grads');
    tf.dispose([a, b, bias]);
  });

  it('keeps the tensor count stable', () => {
    registerNativeCPUKernels();
    const a = randomTensor([5, 6], 1);
    const b = randomTensor([6, 7], 2);
    const bias = randomTensor([7], 3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.fused.matMul({ a, b, bias, activation: 'sigmoid' });
      tf.fused.matMul({ a, b, bias });
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, bias]);
  });
});
