// The one-pass linear (TunekitLinear: bias in the GEMM's store) and dropout
// (TunekitDropout: mask regenerated, residual added in the same pass) in the
// whole tiny GPT-2 against core's path without them: hidden states and every
// parameter's gradient must be the same floats (both compute the same
// roundings in the same order), in training (dropout 0.1 everywhere, so the
// seeds drawn must line up) and in evaluation; LoRA (frozen base weights)
// must not pay for weight-gradient products nobody asked for; the tape keeps
// less.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitDropout, TunekitLinear } from '@tunekit/backend-spec';
import type { GPT2Model } from '@tunekit/core';
import { expectSameFloats, readAll, TINY_IDS, tinyNativeModel, useNativeBackend, withoutKernels } from './fused-kernel-support';

const KERNELS = [TunekitLinear, TunekitDropout];
let skip: string | undefined;
let model: GPT2Model;

beforeAll(async () => {
  skip = await useNativeBackend();
  model = await tinyNativeModel();
});
afterAll(() => model?.dispose());

const IDS = TINY_IDS;

/** Hidden states and the gradient of sum(hidden · w) for `params`. */
function hiddenAndGrads(training: boolean, params: tf.Variable[]): tf.Tensor[] {
  const weights = tf.randomUniform([IDS.length, IDS[0]!.length, model.config.embeddingDim], -1, 1, 'float32', 3);
  const run = () => model.transformer(IDS, { training, seed: 7 }).hidden;
  const hidden = run();
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(run(), weights)) as tf.Scalar, params);
  weights.dispose();
  return [hidden, ...params.map((p) => grads[p.name] as tf.Tensor)];
}


describe('one-pass linear and dropout in the model', () => {
  for (const training of [true, false]) {
    it(`${training ? 'training (dropout 0.1)' : 'evaluation'}: hidden states and every gradient are the same floats as without the kernels`, (context) => {
      if (skip) return context.skip(skip);
      expect(model.config.residualDropout).toBeGreaterThan(0);
      const params = [...model.parameters().values()];
      const fused = readAll(hiddenAndGrads(training, params));
      const without = withoutKernels(KERNELS, () => readAll(hiddenAndGrads(training, params)));
      expectSameFloats(fused, without, ['hidden', ...model.parameters().keys()]);
    });
  }

  it('runs the kernels (4 linears and 2 residual dropouts a block), and no weight-gradient product for frozen weights', async (context) => {
    if (skip) return context.skip(skip);
    const all = [...model.parameters().entries()];
    // Only the layer norms and the last block's biases train: every linear's x·W runs, none of its xᵀ·dy.
    const trained = all.filter(([name]) => name.includes('ln') || (name.startsWith('h.1.') && name.endsWith('.bias'))).map(([, v]) => v);
    const counts = async (params: tf.Variable[]): Promise<Map<string, number>> => {
      const info = await tf.profile(() => tf.dispose(hiddenAndGrads(true, params)));
      const byName = new Map<string, number>();
      for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
      return byName;
    };
    const frozen = await counts(trained);
    const full = await counts(all.map(([, v]) => v));
    const layers = model.config.numLayers;
    // Two forward passes (the returned hidden states and the one differentiated).
    expect(frozen.get(TunekitLinear)).toBe(2 * 3 * layers); // c_attn, attn c_proj, mlp c_proj (c_fc is matMul + bias-GELU)
    expect(frozen.get(TunekitDropout)).toBe(2 * (1 + 2 * layers) + 2 * layers); // forward: embeddings + 2 per block, twice; backward: the blocks' (no gradient is asked before the embeddings' dropout)
    // Full fine-tuning asks xᵀ·dy for each of the 4 linears a block; frozen weights do not.
    expect((full.get('BatchMatMul') ?? 0) - (frozen.get('BatchMatMul') ?? 0)).toBe(4 * layers);
  });

  it('keeps less on the tape: no mask per dropout, no [N, out] output per linear', (context) => {
    if (skip) return context.skip(skip);
    const params = [...model.parameters().values()];
    const keptAtLoss = (): number => {
      let kept = 0;
      const before = tf.memory().numBytes;
      const weights = tf.randomUniform([IDS.length, IDS[0]!.length, model.config.embeddingDim], -1, 1, 'float32', 3);
      const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const y = args[0] as tf.Tensor;
        return { value: tf.sum(tf.mul(y, weights)), gradFunc: (dy: tf.Tensor) => {
          kept = tf.memory().numBytes - before;
          return tf.mul(dy, weights);
        } };
      }) as (y: tf.Tensor) => tf.Scalar;
      const { value, grads } = tf.variableGrads(() => probe(model.transformer(IDS, { training: true, seed: 7 }).hidden), params);
      tf.dispose([value, weights, ...Object.values(grads)]);
      return kept;
    };
    const fused = keptAtLoss();
    const without = withoutKernels(KERNELS, keptAtLoss);
    // Each of the 2·layers + 1 dropouts kept a [tokens, C] mask without the kernel.
    const maskBytes = IDS.length * IDS[0]!.length * model.config.embeddingDim * 4;
    expect(without - fused).toBeGreaterThanOrEqual((2 * model.config.numLayers + 1) * maskBytes);
  });
});
