// core's layerNorm on the fused kernels (TunekitLayerNorm/-Grad) against its
// op-by-op path: values and gradients for x, gamma and beta, odd shapes.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TunekitLayerNorm, TunekitLayerNormGrad } from '@tunekit/backend-spec';
import { layerNorm } from '../src/model/layers';
import { canFuseLayerNorm } from '../src/model/fused-layer-norm';
import { expectAllClose, readAll, useNativeBackend, withoutKernels } from './fused-kernel-support';

const KERNELS = [TunekitLayerNorm, TunekitLayerNormGrad];
let skip: string | undefined;
beforeAll(async () => {
  skip = await useNativeBackend();
});

function valueAndGrads(shape: number[], seed: number): tf.Tensor[] {
  const cols = shape[shape.length - 1] as number;
  const x = tf.add(tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), 3), 0.5);
  const weight = tf.variable(tf.randomUniform([cols], 0.5, 1.5, 'float32', seed + 1));
  const bias = tf.variable(tf.randomUniform([cols], -0.2, 0.2, 'float32', seed + 2));
  const dy = tf.randomUniform(shape, -1, 1, 'float32', seed + 3);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, { weight: g as tf.Variable, bias: b as tf.Variable }, 1e-5), dy));
  const value = layerNorm(x, { weight, bias }, 1e-5);
  const grads = tf.grads(f)([x, weight, bias]);
  const out = [value, ...grads].map((t) => t.clone());
  tf.dispose([x, weight, bias, dy, value, ...grads]);
  return out;
}

describe('fused layer norm', () => {
  for (const shape of [[2, 7, 33], [1, 1, 768], [3, 65, 5], [37, 129]]) {
    it(`[${shape.join(', ')}]: value, dx, dgamma, dbeta equal the op path`, (context) => {
      if (skip) return context.skip(skip);
      expect(canFuseLayerNorm(tf.zeros([1]))).toBe(true); // the fused path is the one under test
      const fused = readAll(valueAndGrads(shape, 11));
      const ops = withoutKernels(KERNELS, () => {
        expect(canFuseLayerNorm(tf.zeros([1]))).toBe(false);
        return readAll(valueAndGrads(shape, 11));
      });
      expectAllClose(fused, ops, 2e-5, ['y', 'dx', 'dgamma', 'dbeta']);
    });
  }

  it('leaves no tensors behind after variableGrads', (context) => {
    if (skip) return context.skip(skip);
    const x = tf.randomUniform([4, 9, 16]);
    const weight = tf.variable(tf.ones([16]));
    const bias = tf.variable(tf.zeros([16]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layerNorm(x, { weight, bias }, 1e-5))) as tf.Scalar, [weight, bias]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weight, bias]);
  });
});
