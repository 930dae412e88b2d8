// The DPO task against an independent float64 PyTorch implementation
// (golden/make_dpo_golden.py → golden/dpo-golden.json): reference and policy
// answer log-probabilities, per-pair rewards, the loss and the gradient of
// every trainable tensor, for each loss type and both reductions, with a full
// model (explicit reference) and with LoRA (reference = adapters off).
// Tolerance: 1e-4, relative to max(1, |expected|). Registered once per CPU
// flavour by dpo-golden*.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendV1 } from '@tunekit/core';
import { type AdapterSet, applyAdapter, type GPT2Model, IGNORE_INDEX, loadAdapter, loadModel, type PreferenceExample, resolveBackend, resolveDPOOptions } from '@tunekit/core';
import { tinyGPT2Directory } from '@tunekit/core/testing';
import type { DpoBatch } from '../src/train/tasks/dpo-batch';
import { dpoTask } from '../src/train/tasks/dpo-task';

const TOLERANCE = 1e-4;

interface GoldenCase {
  setting: 'full' | 'lora';
  loss_type: 'sigmoid' | 'ipo' | 'hinge';
  reduction: 'sum' | 'mean';
  beta: number;
  label_smoothing: number;
  loss: number;
  chosen_rewards: number[];
  rejected_rewards: number[];
  log_probs: { policy_chosen: number; policy_rejected: number; reference_chosen: number; reference_rejected: number }[];
  grad_norms: Record<string, number>;
  grad_first4: Record<string, number[]>;
  grad_sums: Record<string, number>;
}
interface DpoGolden {
  pairs: { prompt_length: number; chosen: number[]; rejected: number[] }[];
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(join(__dirname, 'golden', 'dpo-golden.json'), 'utf8')) as DpoGolden;
const examples: PreferenceExample[] = golden.pairs.map((pair, record) => {
  const mask = (ids: number[]) => ids.map((id, i) => (i < pair.prompt_length ? IGNORE_INDEX : id));
  return { chosen: pair.chosen, rejected: pair.rejected, chosenLabels: mask(pair.chosen), rejectedLabels: mask(pair.rejected), source: { file: 'dpo-golden.json', record } };
});

/** Registers the golden comparison on `backend` (default: the embedded CPU backend as chosen by default). */
export function registerDpoGolden(flavour: string, backend?: BackendV1): void {
describe(`DPO golden on ${flavour}`, () => {
  let base: GPT2Model; // the "full" policy
  let adapted: GPT2Model; // base + the fixture's LoRA: the "full" reference, the "lora" policy
  let peft: AdapterSet;

  beforeAll(async () => {
    if (backend) await resolveBackend(backend);
    base = await loadModel({ source: tinyGPT2Directory(), backend });
    adapted = await loadModel({ source: tinyGPT2Directory(), backend });
    const adapter = await loadAdapter({ model: adapted, source: join(tinyGPT2Directory(), 'lora') });
    peft = applyAdapter({ model: adapted, adapter });
  });
  afterAll(() => {
    peft.unload();
    adapted.dispose();
    base.dispose();
  });

  function close(actual: number, expected: number): number {
    return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  }

  const worst = { logProbs: 0, loss: 0, rewards: 0, grads: 0 };

  describe.each(golden.cases)('DPO $setting, $loss_type, $reduction, labelSmoothing $label_smoothing', (expected) => {
    it('matches the PyTorch reference: log-probs, rewards, loss, every gradient', async () => {
      const before = tf.memory().numTensors;
      const policy = expected.setting === 'full' ? base : adapted;
      const task = dpoTask(policy, {
        dpo: resolveDPOOptions({ beta: expected.beta, lossType: expected.loss_type, reduction: expected.reduction, labelSmoothing: expected.label_smoothing }),
        reference: expected.setting === 'full' ? adapted : undefined,
        policyIsFresh: true,
      });
      const prepared = await task.prepare!(examples);
      prepared.forEach((pair, i) => {
        const want = expected.log_probs[i]!;
        expect(pair.reference?.reduction).toBe(expected.reduction);
        for (const [got, value] of [[pair.reference!.chosen, want.reference_chosen], [pair.reference!.rejected, want.reference_rejected]] as const) {
          worst.logProbs = Math.max(worst.logProbs, close(got, value));
          expect(close(got, value), `reference log-prob of pair ${i}`).toBeLessThan(TOLERANCE);
        }
      });
      const batch: DpoBatch = task.collate(prepared);
      expect(batch.rows.inputIds[0]!.length).toBe(Math.max(...examples.flatMap((e) => [e.chosen.length, e.rejected.length])) - 1); // padded together

      const variables = expected.setting === 'full' ? base.parameters() : peft.get('default').parameters();
      const { value, grads } = tf.variableGrads(() => task.loss(batch, { training: false, seed: 0 }), [...variables.values()]);
      const loss = (await value.data())[0] as number;
      worst.loss = Math.max(worst.loss, close(loss, expected.loss));
      expect(close(loss, expected.loss), 'loss').toBeLessThan(TOLERANCE);

      const metrics = (await task.takeStepMetrics!())!;
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const margins = expected.chosen_rewards.map((c, i) => c - (expected.rejected_rewards[i] as number));
      const wantMetrics: Record<string, number> = {
        'rewards/chosen': mean(expected.chosen_rewards),
        'rewards/rejected': mean(expected.rejected_rewards),
        'rewards/margin': mean(margins),
        'rewards/accuracy': mean(margins.map((m) => (m > 0 ? 1 : 0))),
      };
      for (const [name, want] of Object.entries(wantMetrics)) {
        worst.rewards = Math.max(worst.rewards, close(metrics[name] as number, want));
        expect(close(metrics[name] as number, want), name).toBeLessThan(TOLERANCE);
      }

      expect(new Set(variables.keys())).toEqual(new Set(Object.keys(expected.grad_norms)));
      for (const [name, variable] of variables) {
        const grad = (await (grads[variable.name] as tf.Tensor).data()) as Float32Array;
        let sumSquares = 0;
        let sum = 0;
        for (const g of grad) {
          sumSquares += g * g;
          sum += g;
        }
        const checks: [string, number, number][] = [
          ['norm', Math.sqrt(sumSquares), expected.grad_norms[name] as number],
          ['sum', sum, expected.grad_sums[name] as number],
          ...(expected.grad_first4[name] as number[]).map((w, i): [string, number, number] => [`[${i}]`, grad[i] as number, w]),
        ];
        for (const [what, got, want] of checks) {
          worst.grads = Math.max(worst.grads, close(got, want));
          expect(close(got, want), `${name} ${what}`).toBeLessThan(TOLERANCE);
        }
      }
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('summary', () => {
    it('reports the largest differences', () => {
      console.log(`DPO golden on ${flavour}, largest relative differences: log-probs ${worst.logProbs.toExponential(2)}, loss ${worst.loss.toExponential(2)}, rewards ${worst.rewards.toExponential(2)}, gradients ${worst.grads.toExponential(2)}`);
      expect(worst.loss).toBeLessThan(TOLERANCE);
    });
  });
});
}
