// The frozen prefix off the gradient tape (`gradientsFor`, which the trainer
// passes): one update's loss and every trainable variable's gradient are the
// same floats as when every op is recorded — classification with the
// chapter's last block + ln_f + head, a partially frozen causal LM, a middle
// block trained, only the head trained, with gradient checkpointing, and with
// an adapter hook (recorded as before) — on the default backend and the
// op-by-op path, with dropout everywhere. The tape then holds a fraction of
// the bytes, and nothing leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyAdapter, type CausalLMExample, ClassificationHead, type ClassificationExample, createLoRA, createModel, freeze, type GPT2Model,
  unfreezeLastBlocks,
} from '@tunekit/core';
import { frozenPrefixBlocks } from '../src/model/frozen-prefix';
import type { ParameterSource } from '../src/model/parameter-source';
import type { TaskData } from '../src/train/evaluate';
import type { Pass, Task } from '../src/train/tasks/task';
import { oneUpdate } from './one-update';
import { expectSameGradients, onOpPath } from './same-step';

const VOCAB = 50257;
let model: GPT2Model; // 4 blocks, dropout 0.1 everywhere (the preset's)

beforeAll(async () => {
  model = await createModel({ vocabSize: VOCAB, embeddingDim: 32, numLayers: 4, numHeads: 2, contextLength: 64 }, { seed: 3 });
});
afterAll(() => model?.dispose());

const ids = (length: number, salt: number) => Array.from({ length }, (_, t) => (t * 131 + salt * 977 + 5) % VOCAB);
// Different lengths: right padding and the last-real-token pooling are exercised.
const causal: CausalLMExample[] = [9, 14, 11, 7, 16].map((n, i) => ({ inputIds: ids(n, i) }));
const labelled: ClassificationExample[] = [9, 14, 11, 7, 16].map((n, i) => ({ inputIds: ids(n, i + 10), label: i % 2 }));

/** The task with `gradientsFor` removed from every pass: every op is recorded, as before this option existed. */
function recordingEverything(task: Task<unknown, unknown>): Task<unknown, unknown> {
  return { ...task, loss: (batch: unknown, pass: Pass) => task.loss(batch, { ...pass, gradientsFor: undefined }) };
}

interface Step {
  loss: number;
  gradients: Map<string, Float32Array>;
  /** tf.memory().numBytes right after the loss was built (weights plus what the tape keeps for backward). */
  bytesAtLoss: number;
}

/** One update (2 micro-batches of 2) through the trainer's own gradient code, with the bytes alive at the loss. */
async function step(spec: TaskData, data: readonly unknown[], sources: ParameterSource[], offTape: boolean, checkpointing = false): Promise<Step> {
  let bytesAtLoss = 0;
  const probe = (task: Task<unknown, unknown>): Task<unknown, unknown> => {
    const base = offTape ? task : recordingEverything(task);
    return { ...base, loss: (batch: unknown, pass: Pass) => {
      const loss = base.loss(batch, pass);
      bytesAtLoss = Math.max(bytesAtLoss, tf.memory().numBytes);
      return loss;
    } };
  };
  const update = await oneUpdate(model, spec, data, sources, checkpointing, probe);
  return { ...update, bytesAtLoss };
}

/** Loss and every gradient identical float for float; no tensor left behind; returns both steps. */
async function expectSameStep(spec: TaskData, data: readonly unknown[], sources: ParameterSource[], checkpointing = false): Promise<{ recorded: Step; offTape: Step }> {
  const before = tf.memory().numTensors;
  const recorded = await step(spec, data, sources, false);
  expect(tf.memory().numTensors).toBe(before);
  const offTape = await step(spec, data, sources, true, checkpointing);
  expect(tf.memory().numTensors).toBe(before);
  expect(Number.isFinite(recorded.loss)).toBe(true);
  expect(offTape.loss).toBe(recorded.loss);
  expectSameGradients(recorded.gradients, offTape.gradients, 'off tape − recorded');
  return { recorded, offTape };
}

describe('frozen prefix off the tape: same loss and gradients as recording every op', () => {
  for (const path of ['default backend', 'op-by-op path'] as const) {
    const run = (fn: () => Promise<void>) => (path === 'op-by-op path' ? onOpPath(fn) : fn());

    it(`classification, last block + ln_f + head (${path})`, async () => {
      const head = new ClassificationHead({ numLabels: 2, model, seed: 7 });
      unfreezeLastBlocks({ model, count: 1 });
      try {
        await run(async () => {
          await expectSameStep({ task: 'classification', head }, labelled, [model, head]);
        });
      } finally {
        freeze(model, { trainable: 'all' });
        head.dispose();
      }
    });

    it(`causal LM, last block + ln_f (${path})`, async () => {
      unfreezeLastBlocks({ model, count: 1 });
      try {
        await run(async () => {
          await expectSameStep({ task: 'causal-lm' }, causal, [model]);
        });
      } finally {
        freeze(model, { trainable: 'all' });
      }
    });

    it(`causal LM, a middle block only, with and without gradient checkpointing (${path})`, async () => {
      freeze(model, { trainable: ['h.2.'] });
      try {
        await run(async () => {
          await expectSameStep({ task: 'causal-lm' }, causal, [model]);
          await expectSameStep({ task: 'causal-lm' }, causal, [model], true);
        });
      } finally {
        freeze(model, { trainable: 'all' });
      }
    });
  }

  it('classification, only the head trained: every block off the tape', async () => {
    const head = new ClassificationHead({ numLabels: 2, model, seed: 7 });
    freeze(model, { trainable: 'none' });
    try {
      await expectSameStep({ task: 'classification', head }, labelled, [head]);
    } finally {
      freeze(model, { trainable: 'all' });
      head.dispose();
    }
  });

  it('causal LM, wte and the last block trained: the embeddings keep the whole pass on the tape', async () => {
    freeze(model, { trainable: ['wte.', 'h.3.'] });
    try {
      const { recorded, offTape } = await expectSameStep({ task: 'causal-lm' }, causal, [model]);
      expect(offTape.bytesAtLoss).toBe(recorded.bytesAtLoss);
    } finally {
      freeze(model, { trainable: 'all' });
    }
  });

  it('LoRA on every block (an active hook): recorded as before, every adapter weight gets its gradient', async () => {
    freeze(model, { trainable: 'none' });
    const adapter = createLoRA({ model, rank: 2, alpha: 4, targetModules: ['c_attn', 'mlp.c_fc'], seed: 3 });
    // B starts at zero (A's gradient would then be zero and prove nothing): give it values.
    [...adapter.parameters()].filter(([name]) => name.includes('lora_B')).forEach(([, b], i) => b.assign(tf.randomNormal(b.shape, 0, 0.1, 'float32', i)));
    const peft = applyAdapter({ model, adapter });
    try {
      const { recorded, offTape } = await expectSameStep({ task: 'causal-lm' }, causal, [peft]);
      expect(offTape.bytesAtLoss).toBe(recorded.bytesAtLoss);
    } finally {
      peft.unload({ dispose: true });
      freeze(model, { trainable: 'all' });
    }
  });
});

describe('frozen prefix off the tape: memory', () => {
  it('the chapter setup keeps a fraction of the bytes on the tape; full fine-tuning keeps the same', async () => {
    const long: ClassificationExample[] = Array.from({ length: 4 }, (_, i) => ({ inputIds: ids(60, i), label: i % 2 }));
    const head = new ClassificationHead({ numLabels: 2, model, seed: 7 });
    const weights = tf.memory().numBytes;
    try {
      unfreezeLastBlocks({ model, count: 1 });
      const { recorded, offTape } = await expectSameStep({ task: 'classification', head }, long, [model, head]);
      const mib = (bytes: number) => ((bytes - weights) / 2 ** 20).toFixed(2);
      console.log(`4-block model, classification 2×60 tokens, MiB above the weights at the loss: ${mib(recorded.bytesAtLoss)} → ${mib(offTape.bytesAtLoss)}`);
      // 3 of 4 blocks and the embeddings (with the clone of wte the gather keeps) leave the tape.
      expect(offTape.bytesAtLoss - weights).toBeLessThan(0.35 * (recorded.bytesAtLoss - weights));

      freeze(model, { trainable: 'all' });
      const full = await expectSameStep({ task: 'classification', head }, long, [model, head]);
      expect(full.offTape.bytesAtLoss).toBe(full.recorded.bytesAtLoss);
    } finally {
      freeze(model, { trainable: 'all' });
      head.dispose();
    }
  });
});

describe('frozenPrefixBlocks', () => {
  const set = (...names: string[]) => new Set(names.map((name) => model.parameters().get(name) as tf.Variable));

  it('counts the blocks before the first one that reads a differentiated variable', () => {
    expect(frozenPrefixBlocks(model.params, { gradientsFor: set('h.3.ln_1.weight') })).toBe(3);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: set('h.1.mlp.c_proj.bias', 'h.3.attn.c_attn.weight') })).toBe(1);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: set('ln_f.weight') })).toBe(4);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: new Set() })).toBe(4);
  });

  it('is 0 without gradientsFor, with trained embeddings, a hook, a cache or hidden states asked for', () => {
    const late = set('h.3.ln_1.weight');
    expect(frozenPrefixBlocks(model.params, {})).toBe(0);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: set('wte.weight', 'h.3.ln_1.weight') })).toBe(0);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: set('wpe.weight') })).toBe(0);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: late, hooks: { linear: (_name, _input, output) => output } })).toBe(0);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: late, hooks: {} })).toBe(3);
    expect(frozenPrefixBlocks(model.params, { gradientsFor: late, outputHiddenStates: true })).toBe(0);
  });

  it('model.forward with gradientsFor: same logits, nothing left behind', () => {
    const before = tf.memory().numTensors;
    const input = [ids(12, 1), ids(12, 2)];
    const plain = model.forward(input, { training: true, seed: 4 }).logits;
    const off = model.forward(input, { training: true, seed: 4, gradientsFor: set('h.3.ln_1.weight') }).logits;
    const [a, b] = [off.dataSync(), plain.dataSync()];
    expect(a.length).toBe(b.length);
    expect(a.every((value, i) => value === b[i])).toBe(true);
    tf.dispose([plain, off]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
