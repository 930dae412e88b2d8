/**
 * DPO's reference model and its log-probabilities, computed once per pair
 * (TRL's `precompute_ref_log_probs`) so that no update pays for a second
 * forward pass, and — without adapters — no second copy of the weights is
 * needed during training.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PadOptions } from '../../data/collate';
import type { PreferenceExample } from '../../data/examples';
import type { GPT2Model } from '../../model/gpt2-model';
import type { ForwardHooks } from '../../model/hooks';
import { answerLogProbs } from './answer-log-probs';
import { collateAnswerRows } from './dpo-batch';

/** Which forward pass scores the reference: a model, and the hooks it runs with (`null`: adapters off). */
export interface ReferencePass {
  /** The model. */
  model: GPT2Model;
  /** `null` runs the bare base model; undefined uses the model's own hooks. */
  hooks: ForwardHooks | null | undefined;
  /** How the reference was chosen, for messages and docs. */
  kind: 'explicit' | 'adapters-off' | 'policy-before-training';
}

/**
 * The reference for a policy: an explicit `reference` model; else, when the
 * policy runs adapters (LoRA, prefix or prompt tuning), the same model with
 * its adapters off; else the policy itself, which is the frozen reference
 * only as long as nothing has been trained yet.
 */
export function resolveReference(policy: GPT2Model, reference?: GPT2Model): ReferencePass {
  if (reference) return { model: reference, hooks: undefined, kind: 'explicit' };
  if (policy.hooks) return { model: policy, hooks: null, kind: 'adapters-off' };
  return { model: policy, hooks: undefined, kind: 'policy-before-training' };
}

/** Options of {@link precomputeReferenceLogProbs}. */
export interface PrecomputeReferenceOptions {
  /** The policy to be trained (with its adapters, if any). */
  model: GPT2Model;
  /** Pairs with answer masks (from `encodeDPOPairs`). */
  data: readonly PreferenceExample[];
  /** A separate reference model. Default: `model` with its adapters off, or `model` as it is now when it has none. */
  reference?: GPT2Model;
  /** Sum or average the answers' token log-probabilities; must match the DPO run's. Default `'sum'`. */
  reduction?: 'sum' | 'mean';
  /** Pairs per forward pass. Default 8. */
  batchSize?: number;
  /** Padding and truncation, as the DPO run's `collate`. */
  collate?: PadOptions;
}

/** Fills `reference` on the pairs that lack it (or have another reduction); the others are returned as they are. */
export async function fillReferenceLogProbs(pass: ReferencePass, data: readonly PreferenceExample[], reduction: 'sum' | 'mean', batchSize = 8, collate: PadOptions = {}): Promise<PreferenceExample[]> {
  const out = [...data];
  const missing = data.map((example, i) => (example.reference?.reduction === reduction ? -1 : i)).filter((i) => i >= 0);
  for (let start = 0; start < missing.length; start += batchSize) {
    const indices = missing.slice(start, start + batchSize);
    const rows = collateAnswerRows(indices.map((i) => data[i] as PreferenceExample), collate);
    const logProbs = tf.tidy(() => answerLogProbs({ model: pass.model, batch: rows, reduction, hooks: pass.hooks }));
    const values = await logProbs.data();
    logProbs.dispose();
    indices.forEach((index, k) => {
      const example = data[index] as PreferenceExample;
      out[index] = { ...example, reference: { chosen: values[k] as number, rejected: values[k + indices.length] as number, reduction } };
    });
  }
  return out;
}

/**
 * The pairs with the reference model's log-probabilities of both answers
 * (`reference` on each example). Call it before training when the policy has
 * no adapter and you will evaluate DPO metrics later: afterwards the policy
 * has moved and can no longer serve as its own reference.
 *
 * @example
 * ```ts
 * const val = await precomputeReferenceLogProbs({ model, data: valPairs });
 * await train({ model, task: 'dpo', trainData, valData: val, ... });
 * const after = await evaluate({ model, task: 'dpo', data: val });
 * ```
 */
export async function precomputeReferenceLogProbs(options: PrecomputeReferenceOptions): Promise<PreferenceExample[]> {
  return fillReferenceLogProbs(resolveReference(options.model, options.reference), options.data, options.reduction ?? 'sum', options.batchSize, options.collate);
}
