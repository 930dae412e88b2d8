// Native kernels reuse disposed tensors' arrays and AdamW updates in place
// (@tunekit/cpu-kernels' reusable-arrays.ts): a few full fine-tuning steps
// (dropout on, gradient clipping, the loss read out every step, weights
// read mid-run) must give the same floats as with every output a new array
// (TUNEKIT_REUSE_ARRAYS=0), and leave no tensor behind.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { type CausalLMExample, createModel, type GPT2Model, gpt2Tokenizer, resolveBackend, train } from '@tunekit/core';
import { useNativeBackend } from './fused-kernel-support';

const data: CausalLMExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(`the cat sat on mat ${i}`), 50256] }));
const config = { embeddingDim: 24, numLayers: 2, numHeads: 2, contextLength: 32, vocabSize: 50257 };

afterEach(() => {
  delete process.env.TUNEKIT_REUSE_ARRAYS;
});

/** Every parameter after `steps` steps, with array reuse on or off. */
async function trainedParameters(reuse: boolean, steps: number): Promise<{ params: Map<string, Float32Array>; losses: number[] }> {
  if (reuse) delete process.env.TUNEKIT_REUSE_ARRAYS;
  else process.env.TUNEKIT_REUSE_ARRAYS = '0';
  const backend = createCPUBackend({ prefer: ['native'] });
  await resolveBackend(backend); // registers the kernels with the setting above
  const model: GPT2Model = await createModel(config, { seed: 1, backend });
  const losses: number[] = [];
  const result = await train({
    model, task: 'causal-lm', trainData: data, batchSize: 4, maxSteps: steps, seed: 3, optimizer: { learningRate: 1e-3 }, gradientClip: 0.5,
    onStep: (progress) => {
      losses.push(progress.loss);
      // A read-out of a weight mid-run: its array must never be written in place afterwards.
      if (progress.step === 2) expect(Number.isFinite([...model.parameters().values()][0]!.dataSync()[0])).toBe(true);
    },
  });
  expect(result.step).toBe(steps);
  const params = new Map([...model.parameters()].map(([name, v]) => [name, Float32Array.from(v.dataSync())]));
  model.dispose();
  return { params, losses };
}

describe('array reuse in training', () => {
  it('4 full fine-tuning steps: every parameter the same floats with reuse on and off; no tensor left', async (context) => {
    const skip = await useNativeBackend();
    if (skip) return context.skip(skip);
    const before = tf.memory().numTensors;
    const off = await trainedParameters(false, 4);
    const on = await trainedParameters(true, 4);
    expect(on.losses).toEqual(off.losses);
    expect(on.losses.length).toBe(4);
    for (const [name, values] of off.params) {
      const other = on.params.get(name) as Float32Array;
      let differing = 0;
      for (let i = 0; i < values.length; i++) if (!Object.is(values[i], other[i])) differing++;
      expect(differing, `${name}: ${differing} floats differ`).toBe(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
