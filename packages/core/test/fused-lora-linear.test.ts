// LoRA's low-rank term added inside the linear maps' GEMMs (TunekitLoRALinear
// forward, TunekitLoRALinearGrad for the input gradient) against core's op
// path (the `linear` hook: two matMuls, a Multiply, an Add, and tfjs summing
// x's two gradients): hidden states and every gradient — A, B, the frozen
// base weights when asked, the layer norms upstream — must be the same floats,
// in training (dropout 0.1 in the model, so the seeds must line up) and in
// evaluation, for scaling 1 and 2, and for one token (the matrix-vector path
// of generation). LoRA dropout or a scaling that is not a power of two keeps
// the op path. Nothing is left behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitLoRALinear, TunekitLoRALinearGrad } from '@tunekit/backend-spec';
import { type AdapterSet, applyAdapter, createLoRA, type GPT2Model } from '@tunekit/core';
import { expectSameFloats, readAll, TINY_IDS, tinyNativeModel, useNativeBackend, withoutKernels } from './fused-kernel-support';

const KERNELS = [TunekitLoRALinear, TunekitLoRALinearGrad];
let skip: string | undefined;
let model: GPT2Model;

beforeAll(async () => {
  skip = await useNativeBackend();
  model = await tinyNativeModel();
});
afterAll(() => model?.dispose());

/** LoRA on all four maps of every block, with B drawn at random (PEFT's zero B would add exact zeros). */
function adapt(options: { rank: number; alpha: number; dropout?: number }): AdapterSet {
  const adapter = createLoRA({ model, ...options, targetModules: 'all-linear', seed: 5 });
  let seed = 11;
  for (const [name, variable] of adapter.parameters()) {
    if (name.includes('lora_B')) variable.assign(tf.randomUniform(variable.shape, -0.5, 0.5, 'float32', seed++));
  }
  return applyAdapter({ model, adapter });
}

/** Hidden states, then the gradient of sum(hidden · w) for each of `params`. */
function hiddenAndGrads(ids: number[][], training: boolean, params: tf.Variable[]): tf.Tensor[] {
  const weights = tf.randomUniform([ids.length, ids[0]!.length, model.config.embeddingDim], -1, 1, 'float32', 3);
  const run = () => model.transformer(ids, { training, seed: 7 }).hidden;
  const hidden = run();
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(run(), weights)) as tf.Scalar, params);
  tf.dispose([value, weights]);
  return [hidden, ...params.map((p) => grads[p.name] as tf.Tensor)];
}


async function kernelCounts(fn: () => void): Promise<Map<string, number>> {
  const info = await tf.profile(fn);
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
  return byName;
}

describe('LoRA inside the linear maps\' GEMMs', () => {
  const cases = [
    { label: 'training, scaling 2', training: true, rank: 4, alpha: 8, ids: TINY_IDS },
    { label: 'evaluation, scaling 1', training: false, rank: 3, alpha: 3, ids: TINY_IDS },
    { label: 'one token (matrix-vector products), scaling 2', training: false, rank: 4, alpha: 8, ids: [[42]] },
  ];
  for (const { label, training, rank, alpha, ids } of cases) {
    it(`${label}: hidden states and every gradient are the same floats as the op path`, (context) => {
      if (skip) return context.skip(skip);
      const peft = adapt({ rank, alpha });
      // The blocks' own weights train too (LoRA with unfrozen layers): their weight, bias and layer-norm gradients are compared as well.
      const base = [...model.parameters().entries()].filter(([name]) => name.startsWith('h.'));
      for (const [, variable] of base) variable.trainable = true;
      try {
        const lora = [...peft.parameters().entries()];
        const params = [...lora, ...base];
        const fused = readAll(hiddenAndGrads(ids, training, params.map(([, v]) => v)));
        const without = withoutKernels(KERNELS, () => readAll(hiddenAndGrads(ids, training, params.map(([, v]) => v))));
        expectSameFloats(fused, without, ['hidden', ...params.map(([name]) => name)]);
      } finally {
        for (const [, variable] of base) variable.trainable = false;
        peft.unload();
      }
    });
  }

  it('runs one kernel per adapted map and one input-gradient kernel per map that needs an input gradient; leaves no tensor behind', async (context) => {
    if (skip) return context.skip(skip);
    const peft = adapt({ rank: 4, alpha: 4 });
    try {
      const lora = [...peft.parameters().values()];
      const before = tf.memory().numTensors;
      const counts = await kernelCounts(() => tf.dispose(hiddenAndGrads(TINY_IDS, true, lora)));
      expect(tf.memory().numTensors).toBe(before);
      const layers = model.config.numLayers;
      expect(counts.get(TunekitLoRALinear)).toBe(2 * 4 * layers); // two forward passes
      // Only A and B train: the first c_attn's input (ln_1 of the frozen embeddings) needs no gradient.
      expect(counts.get(TunekitLoRALinearGrad)).toBe(4 * layers - 1);
    } finally {
      peft.unload();
    }
  });

  for (const [label, options] of [['LoRA dropout in training', { rank: 4, alpha: 8, dropout: 0.1 }], ['a scaling that is not a power of two (1.5)', { rank: 4, alpha: 6 }]] as const) {
    it(`${label} keeps the op path`, async (context) => {
      if (skip) return context.skip(skip);
      const peft = adapt(options);
      try {
        const lora = [...peft.parameters().values()];
        const counts = await kernelCounts(() => tf.dispose(hiddenAndGrads(TINY_IDS, true, lora)));
        expect(counts.get(TunekitLoRALinear) ?? 0).toBe(0);
        expect(counts.get('BatchMatMul') ?? 0).toBeGreaterThan(0);
      } finally {
        peft.unload();
      }
    });
  }
});
