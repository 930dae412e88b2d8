/** TunekitGelu / TunekitGeluGrad vs GELU built from tfjs ops (forward and autodiff gradient). */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TunekitGelu, TunekitGeluGrad } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { useCpuBackend } from './test-support/cpu-backend';
import { expectClose } from './test-support/compare';
import { nativeSkipReason } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(unregisterNativeCPUKernels);

/** core's op-by-op GELU (model/layers.ts). */
function opGelu(x: tf.Tensor, approximate: boolean): tf.Tensor {
  if (!approximate) return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitGelu}${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  for (const approximate of [true, false]) {
    it(`${approximate ? 'tanh' : 'erf'} form: value and dy·GELU'(x) match the op version`, () => {
      const x = randomTensor([37, 129], 1, 6); // covers the saturated tails
      const dy = randomTensor([37, 129], 2);
      unregisterNativeCPUKernels();
      const expected = tf.tidy(() => [opGelu(x, approximate), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(opGelu(t, approximate), dy)))(x)]);
      registerNativeCPUKernels();
      const value = tf.engine().runKernel(TunekitGelu, { x }, { approximate }) as tf.Tensor;
      const grad = tf.engine().runKernel(TunekitGeluGrad, { dy, x }, { approximate }) as tf.Tensor;
      expectClose(value.dataSync(), (expected[0] as tf.Tensor).dataSync(), 2e-6, 'value');
      expectClose(grad.dataSync(), (expected[1] as tf.Tensor).dataSync(), 2e-6, 'gradient');
      tf.dispose([x, dy, value, grad, ...expected]);
    });
  }
});
