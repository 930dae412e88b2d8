/**
 * Direct preference optimisation: the policy's answer log-probabilities
 * against a frozen reference's (precomputed once per pair), through the loss
 * of {@link dpoTerms}, averaged over pairs. Metrics are TRL's:
 * `rewards/chosen`, `rewards/rejected`, `rewards/accuracy`, `rewards/margin`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PadOptions } from '../../data/collate';
import { DataError } from '../../data/data-error';
import type { PreferenceExample } from '../../data/examples';
import type { GPT2Model } from '../../model/gpt2-model';
import { tidyObject } from '../../tf/tidy-object';
import { answerLogProbs } from './answer-log-probs';
import { collateDpo, type DpoBatch } from './dpo-batch';
import { dpoTerms, type DPOTerms, type ResolvedDPOOptions } from './dpo-loss';
import { fillReferenceLogProbs, resolveReference } from './dpo-reference';
import type { Pass, Task } from './task';

/** How the DPO task is built. */
export interface DpoTaskOptions {
  /** Loss settings, already resolved. */
  dpo: ResolvedDPOOptions;
  /** Padding and truncation. */
  collate?: PadOptions;
  /** A separate frozen reference model (see `resolveReference` for the default). */
  reference?: GPT2Model;
  /**
   * Whether `prepare` may score the policy itself as the reference (true in
   * `train()`, which prepares before the first update; false in `evaluate()`,
   * where the policy may already have moved).
   */
  policyIsFresh: boolean;
}

/** The metric names, as TRL logs them (singular accuracy and margin). */
export const DPO_METRICS = ['rewards/chosen', 'rewards/rejected', 'rewards/accuracy', 'rewards/margin'] as const;

function terms(model: GPT2Model, batch: DpoBatch, options: ResolvedDPOOptions, pass?: Pass): DPOTerms {
  return tidyObject(() => {
    const policy = answerLogProbs({ model, batch: batch.rows, reduction: options.reduction, pass }); // [2B]
    return dpoTerms({
      policyChosen: tf.slice(policy, 0, batch.pairs) as tf.Tensor1D,
      policyRejected: tf.slice(policy, batch.pairs, batch.pairs) as tf.Tensor1D,
      referenceChosen: tf.tensor1d(batch.referenceChosen, 'float32'),
      referenceRejected: tf.tensor1d(batch.referenceRejected, 'float32'),
    }, options);
  });
}

/** Sums of the four reward metrics over pairs. */
function rewardSums(chosen: ArrayLike<number>, rejected: ArrayLike<number>): Record<string, number> {
  const sums: Record<string, number> = Object.fromEntries(DPO_METRICS.map((name) => [name, 0]));
  for (let i = 0; i < chosen.length; i++) {
    const c = chosen[i] as number;
    const r = rejected[i] as number;
    sums['rewards/chosen'] = (sums['rewards/chosen'] as number) + c;
    sums['rewards/rejected'] = (sums['rewards/rejected'] as number) + r;
    sums['rewards/accuracy'] = (sums['rewards/accuracy'] as number) + (c > r ? 1 : 0);
    sums['rewards/margin'] = (sums['rewards/margin'] as number) + (c - r);
  }
  return sums;
}

/** The DPO task. */
export function dpoTask(model: GPT2Model, options: DpoTaskOptions): Task<PreferenceExample, DpoBatch> {
  const { dpo } = options;
  const reference = resolveReference(model, options.reference);
  // Rewards of the batches since the last takeStepMetrics: [2, B] each (chosen; rejected).
  let pending: tf.Tensor2D[] = [];
  return {
    kind: 'dpo',
    collate: (examples) => collateDpo(examples, dpo.reduction, options.collate),
    inputLength: (example) => Math.min(Math.max(example.chosen.length, example.rejected.length) - 1, options.collate?.maxLength ?? Infinity),
    tokens: (batch) => batch.rows.lengths.reduce((a, b) => a + b, 0),
    async prepare(examples) {
      const lacking = examples.findIndex((e) => e.reference?.reduction !== dpo.reduction);
      if (lacking >= 0 && reference.kind === 'policy-before-training' && !options.policyIsFresh) {
        const found = examples[lacking]?.reference;
        const what = found ? `has reference log-probabilities made with reduction '${found.reduction}', not '${dpo.reduction}'` : 'has no reference log-probabilities';
        throw new DataError(
          `${what}, and the model has no adapter to switch off: after training it cannot be its own reference.`,
          { source: examples[lacking]?.source ?? { file: '<data>', record: lacking }, field: 'reference', fix: 'Call precomputeReferenceLogProbs on this data before training, or pass reference (a frozen copy of the starting model)' },
        );
      }
      return fillReferenceLogProbs(reference, examples, dpo.reduction, 8, options.collate);
    },
    loss(batch: DpoBatch, pass: Pass): tf.Scalar {
      return tf.tidy(() => {
        const { losses, chosenRewards, rejectedRewards } = terms(model, batch, dpo, pass);
        // Bounded, so that callers that never take the metrics do not leak.
        if (pending.length >= 64) tf.dispose(pending.shift());
        pending.push(tf.keep(tf.stack([chosenRewards, rejectedRewards]) as tf.Tensor2D));
        return tf.mean(losses) as tf.Scalar;
      });
    },
    async takeStepMetrics() {
      if (pending.length === 0) return undefined;
      const taken = pending;
      pending = [];
      const chosen: number[] = [];
      const rejected: number[] = [];
      for (const rewards of taken) {
        const [c, r] = (await rewards.array()) as [number[], number[]];
        chosen.push(...c);
        rejected.push(...r);
      }
      tf.dispose(taken);
      const sums = rewardSums(chosen, rejected);
      return Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / chosen.length]));
    },
    async stats(batch: DpoBatch) {
      const { losses, chosenRewards, rejectedRewards } = terms(model, batch, dpo);
      const [lossValues, chosen, rejected] = await Promise.all([losses.data(), chosenRewards.data(), rejectedRewards.data()]);
      tf.dispose([losses, chosenRewards, rejectedRewards]);
      const sums = rewardSums(chosen, rejected);
      return { lossSum: Array.from(lossValues).reduce((a, b) => a + b, 0), correct: sums['rewards/accuracy'] as number, count: batch.pairs, sums };
    },
  };
}
