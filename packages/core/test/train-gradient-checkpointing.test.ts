// Gradient checkpointing (`gradientCheckpointing` in train()): one update's
// loss and every trainable variable's gradient, with and without
// checkpointing, on the tiny GPT-2 fixture with dropout 0.1 everywhere (so
// the recomputation must replay every dropout mask) — full fine-tuning, LoRA
// (with its own dropout), prefix tuning (with the reparameterising MLP),
// prompt tuning and classification; on the default backend (fused kernels)
// and on the op-by-op path. Also: nothing leaks, the tape holds fewer bytes,
// train() gives the same run, and a resumed checkpointed run is bit-exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAdapter, type CausalLMExample, ClassificationHead, type ClassificationExample, createLoRA, createPrefixTuning, createPromptTuning, GPT2Model,
  gpt2Tokenizer, loadModel, train, type TrainOptions, type TrainResult,
} from '@tunekit/core';
import { tinyGPT2Directory } from '@tunekit/core/testing';
import { BatchOrder } from '../src/data/batch-order';
import { accumulateGradients } from '../src/train/accumulate-gradients';
import { createTask, type TaskData } from '../src/train/evaluate';
import { trainableVariables } from '../src/train/trainable-variables';
import { SeededRandom } from '../src/util/random';
import { onOpPath } from './same-step';
import type { ParameterSource } from '../src/model/parameter-source';
import { expectSameUpdate, oneUpdate } from './one-update';

let base: GPT2Model;
let model: GPT2Model; // the fixture's weights with dropout 0.1 (the fixture itself has none)
const root = mkdtempSync(join(tmpdir(), 'tunekit-gradient-checkpointing-'));

beforeAll(async () => {
  base = await loadModel({ source: tinyGPT2Directory() });
  model = new GPT2Model({ ...base.config, attentionDropout: 0.1, residualDropout: 0.1, embeddingDropout: 0.1 }, base.params, base.backend);
});
afterAll(() => {
  base?.dispose();
  rmSync(root, { recursive: true, force: true });
});

const sentences = ['the cat sat on the mat', 'a dog ran in the park today', 'the sun is hot', 'green tea is nice to drink', 'rain falls on the town'];
const causal: CausalLMExample[] = sentences.map((s) => ({ inputIds: [...gpt2Tokenizer.encode(s), 50256] }));
const labelled: ClassificationExample[] = sentences.map((s, i) => ({ inputIds: gpt2Tokenizer.encode(s), label: i % 2 }));

/** Both runs; checks loss and every gradient are the same float for float, and that no tensor is left behind. */
async function expectSameStep(spec: TaskData, data: readonly unknown[], sources: ParameterSource[]): Promise<void> {
  const before = tf.memory().numTensors;
  const plain = await oneUpdate(model, spec, data, sources, false);
  const afterPlain = tf.memory().numTensors;
  const checkpointed = await oneUpdate(model, spec, data, sources, true);
  expect(tf.memory().numTensors).toBe(before);
  expect(afterPlain).toBe(before);
  // The recomputation runs the same kernels on the same inputs in the same order: identical floats.
  expectSameUpdate(checkpointed, plain, 'checkpointed − plain');
}

describe('gradient checkpointing: same loss and gradients as keeping the activations', () => {
  for (const path of ['default backend', 'op-by-op path'] as const) {
    const run = (fn: () => Promise<void>) => (path === 'op-by-op path' ? onOpPath(fn) : fn());

    it(`full fine-tuning, causal LM (${path})`, async () => {
      expect(model.config.attentionDropout).toBe(0.1);
      await run(() => expectSameStep({ task: 'causal-lm' }, causal, [model]));
    });

    it(`LoRA with dropout, every linear map (${path})`, async () => {
      const adapter = createLoRA({ model, rank: 4, alpha: 8, dropout: 0.1, targetModules: ['c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'], seed: 3 });
      // B starts at zero (so A's gradient would be zero and prove nothing): give it values.
      [...adapter.parameters()].filter(([name]) => name.includes('lora_B')).forEach(([, b], i) => b.assign(tf.randomNormal(b.shape, 0, 0.1, 'float32', i)));
      const peft = applyAdapter({ model, adapter });
      try {
        await run(() => expectSameStep({ task: 'causal-lm' }, causal, [peft]));
      } finally {
        peft.unload({ dispose: true });
      }
    });

    it(`prefix tuning with the reparameterising MLP (${path})`, async () => {
      const peft = applyAdapter({ model, adapter: createPrefixTuning({ model, numVirtualTokens: 3, prefixProjection: true, encoderHiddenSize: 16, seed: 5 }) });
      try {
        await run(() => expectSameStep({ task: 'causal-lm' }, causal, [peft]));
      } finally {
        peft.unload({ dispose: true });
      }
    });

    it(`prompt tuning (${path})`, async () => {
      const peft = applyAdapter({ model, adapter: createPromptTuning({ model, numVirtualTokens: 2, seed: 4 }) });
      try {
        await run(() => expectSameStep({ task: 'causal-lm' }, causal, [peft]));
      } finally {
        peft.unload({ dispose: true });
      }
    });

    it(`classification, model and head trained (${path})`, async () => {
      const head = new ClassificationHead({ numLabels: 2, model, seed: 7 });
      try {
        await run(() => expectSameStep({ task: 'classification', head }, labelled, [model, head]));
      } finally {
        head.dispose();
      }
    });
  }
});

describe('gradient checkpointing: memory', () => {
  it('holds fewer bytes during a step (peak and at the loss), and frees everything after', async () => {
    // Classification of long rows: the head is tiny, so the tape's activations dominate the step
    // (for causal LM on this 64-wide model the [rows × 50257] logits of the loss would).
    const long: ClassificationExample[] = Array.from({ length: 4 }, (_, i) => ({ inputIds: Array.from({ length: 120 }, (_, t) => (t * 31 + i * 7) % 50000), label: i % 2 }));
    const head = new ClassificationHead({ numLabels: 2, model, seed: 7 });
    const task = createTask(model, { task: 'classification', head }, { training: true });
    // Embeddings frozen: the [50257, 64] table's gradient would otherwise set the peak of both runs
    // (the backward frees activations as it goes, so what it ends holding is the gradients).
    const variables = new Map([...trainableVariables([model, head])].filter(([name]) => !/wte|wpe/.test(name)));
    const tfNames = new Map([...variables].map(([name, variable]) => [variable.name, name]));
    const measure = async (checkpointing: boolean) => {
      const before = tf.memory().numTensors;
      let atLoss = 0;
      const probe = { ...task, loss: (batch: unknown, pass: Parameters<typeof task.loss>[1]) => {
        const loss = task.loss(batch, pass);
        atLoss = tf.memory().numBytes; // weights plus everything the tape keeps for backward
        return loss;
      } };
      const profile = await tf.profile(async () => {
        const update = await accumulateGradients(probe, long, new BatchOrder(4, { batchSize: 4, seed: 1 }), { epoch: 0, batch: 0 }, 1, new SeededRandom(2), tfNames, [...variables.values()], checkpointing);
        tf.dispose([...update.gradients.values()]);
      });
      expect(tf.memory().numTensors).toBe(before);
      return { peak: profile.peakBytes, atLoss };
    };
    try {
      const weights = tf.memory().numBytes;
      const plain = await measure(false);
      const checkpointed = await measure(true);
      const mib = (bytes: number) => ((bytes - weights) / 2 ** 20).toFixed(2);
      console.log(`tiny GPT-2, classification 4×120 tokens, MiB above the weights: peak ${mib(plain.peak)} → ${mib(checkpointed.peak)}, at the loss ${mib(plain.atLoss)} → ${mib(checkpointed.atLoss)}`);
      // Both sides include a clone of wte that tfjs counts for the gather's saved input (a clone
      // shares the buffer but is counted): compare what is kept beyond it. Measured (with the
      // tape-savings of model/layers.ts and the lean backward): at the loss 9.4 → 1.0 MiB beyond
      // the clone, peak 19.3 → 9.9.
      const wteClone = model.params.wte.vocabSize * model.params.wte.dim * 4;
      expect(checkpointed.atLoss - weights - wteClone).toBeLessThan(0.5 * (plain.atLoss - weights - wteClone));
      expect(checkpointed.peak - weights - wteClone).toBeLessThan(0.8 * (plain.peak - weights - wteClone));
    } finally {
      head.dispose();
    }
  });
});

describe('gradient checkpointing in train()', () => {
  const data: CausalLMExample[] = Array.from({ length: 12 }, (_, i) => ({ inputIds: [...gpt2Tokenizer.encode(`${sentences[i % 5]} ${i}`), 50256] }));
  const settings = (m: GPT2Model, extra: Partial<TrainOptions> = {}): TrainOptions => ({
    model: m, task: 'causal-lm', trainData: data, batchSize: 4, gradientAccumulation: 2, maxSteps: 5, seed: 11, gradientClip: 0.5,
    optimizer: { learningRate: 5e-3 }, schedule: { warmupSteps: 1, decay: 'cosine' }, ...extra,
  } as TrainOptions);
  const view = (result: TrainResult) => result.steps.map(({ step, loss, gradNorm }) => ({ step, loss, gradNorm }));
  /** A trainable copy of the fixture with dropout, so each run starts from the same weights. */
  const fresh = async () => {
    const loaded = await loadModel({ source: tinyGPT2Directory() });
    return new GPT2Model({ ...loaded.config, attentionDropout: 0.1, residualDropout: 0.1, embeddingDropout: 0.1 }, loaded.params, loaded.backend);
  };

  it('trains the same run as without checkpointing, and a resumed checkpointed run is bit-exact', async () => {
    const models = await Promise.all([fresh(), fresh(), fresh(), fresh()]);
    try {
      const [a, b, c, d] = models as [GPT2Model, GPT2Model, GPT2Model, GPT2Model];
      const plain = await train(settings(a));
      const checkpointed = await train(settings(b, { gradientCheckpointing: true }));
      expect(view(checkpointed)).toEqual(view(plain));
      const directory = join(root, 'resume');
      const controller = new AbortController();
      const first = await train(settings(c, { gradientCheckpointing: true, checkpoint: { directory, every: 3 }, onStep: (e) => { if (e.step === 3) controller.abort(); }, signal: controller.signal }));
      expect(first.step).toBe(3);
      const resumed = await train(settings(d, { gradientCheckpointing: true, resumeFrom: directory }));
      expect(resumed.step).toBe(5);
      expect(view(resumed)).toEqual(view(checkpointed)); // exact equality of every float
    } finally {
      models.forEach((m) => m.dispose());
    }
  });
});
