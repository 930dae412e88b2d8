// core's MLP map linearGelu on the fused bias + GELU kernels
// (TunekitBiasGelu/-Grad) against its op-by-op path (linear then gelu, with
// and without the plain fused GELU kernel): values and gradients for x, W
// and b, odd shapes, both GELU forms.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TunekitBiasGelu, TunekitBiasGeluGrad, TunekitGelu, TunekitGeluGrad } from '@tunekit/backend-spec';
import type { GPT2Activation } from '../src/model/config';
import { canFuseBiasGelu } from '../src/model/fused-bias-gelu';
import { linearGelu } from '../src/model/layers';
import type { ForwardContext } from '../src/model/hooks';
import { expectAllClose, readAll, useNativeBackend, withoutKernels } from './fused-kernel-support';

const BIAS_GELU_KERNELS = [TunekitBiasGelu, TunekitBiasGeluGrad];
const GELU_KERNELS = [TunekitGelu, TunekitGeluGrad];
const context: ForwardContext = { training: true, nextSeed: () => 0 };
let skip: string | undefined;
beforeAll(async () => {
  skip = await useNativeBackend();
});

function valueAndGrads(shape: number[], outDim: number, activation: GPT2Activation, seed: number): tf.Tensor[] {
  const inDim = shape[shape.length - 1] as number;
  const x = tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), 2);
  const weight = tf.variable(tf.randomUniform([inDim, outDim], -0.5, 0.5, 'float32', seed + 1));
  const bias = tf.variable(tf.randomUniform([outDim], -1, 1, 'float32', seed + 2));
  const dy = tf.randomUniform([...shape.slice(0, -1), outDim], -1, 1, 'float32', seed + 3);
  const run = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => linearGelu(a, { weight: w as tf.Variable, bias: b as tf.Variable }, activation, 'h.0.mlp.c_fc', undefined, context);
  const value = run(x, weight, bias);
  const grads = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(run(a, w, b), dy)))([x, weight, bias]);
  const out = [value, ...grads].map((t) => t.clone());
  tf.dispose([x, weight, bias, dy, value, ...grads]);
  return out;
}

describe('fused bias + GELU (linearGelu)', () => {
  for (const activation of ['gelu_new', 'gelu'] as GPT2Activation[]) {
    for (const [shape, outDim] of [[[2, 7, 33], 65], [[1, 1, 768], 3072], [[3, 37, 5], 129], [[37, 16], 1]] as Array<[number[], number]>) {
      it(`${activation} [${shape.join(', ')}] → ${outDim}: value, dx, dW, db equal the op path`, (ctx) => {
        if (skip) return ctx.skip(skip);
        expect(canFuseBiasGelu(tf.zeros([1]))).toBe(true); // the fused path is the one under test
        const fused = readAll(valueAndGrads(shape, outDim, activation, 21));
        const labels = ['y', 'dx', 'dW', 'db'];
        const linearThenGelu = withoutKernels(BIAS_GELU_KERNELS, () => {
          expect(canFuseBiasGelu(tf.zeros([1]))).toBe(false);
          return readAll(valueAndGrads(shape, outDim, activation, 21));
        });
        expectAllClose(fused, linearThenGelu, 2e-5, labels);
        // The path wasm and WebGPU take: no Tunekit GELU kernel at all.
        const opByOp = withoutKernels([...BIAS_GELU_KERNELS, ...GELU_KERNELS], () => readAll(valueAndGrads(shape, outDim, activation, 21)));
        expectAllClose(fused, opByOp, 2e-5, labels);
      });
    }
  }

  it('leaves no tensors behind after variableGrads', (ctx) => {
    if (skip) return ctx.skip(skip);
    const x = tf.randomUniform([4, 9, 16]);
    const weight = tf.variable(tf.randomUniform([16, 48]));
    const bias = tf.variable(tf.zeros([48]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(linearGelu(x, { weight, bias }, 'gelu_new', 'h.0.mlp.c_fc', undefined, context))) as tf.Scalar, [weight, bias]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weight, bias]);
  });
});
