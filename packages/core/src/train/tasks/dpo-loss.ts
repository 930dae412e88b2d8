/**
 * The DPO objective on per-pair log-probabilities (Rafailov et al. 2023, with
 * TRL's IPO, hinge and conservative-DPO variants). With
 * `h = (log π(c) − log π(r)) − (log π_ref(c) − log π_ref(r))`:
 * - `sigmoid`: `−(1−ε)·log σ(β·h) − ε·log σ(−β·h)` (ε = `labelSmoothing`)
 * - `hinge`:   `max(0, 1 − β·h)`
 * - `ipo`:     `(h − 1/(2β))²`
 *
 * The implicit rewards are `β·(log π − log π_ref)` of each answer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitError } from '@tunekit/formats';
import { tidyObject } from '../../tf/tidy-object';

/** How DPO turns the log-probability margin into a loss. */
export type DPOLossType = 'sigmoid' | 'ipo' | 'hinge';

/** DPO settings (TRL's `DPOConfig` names, camel-cased). */
export interface DPOOptions {
  /** β: how far the policy may move from the reference. Default 0.1 (TRL's and the chapter's). */
  beta?: number;
  /** Loss on the margin. Default `'sigmoid'` (the DPO paper's). */
  lossType?: DPOLossType;
  /** ε of conservative DPO: the share of pairs assumed mislabelled, in [0, 0.5). `sigmoid` only. Default 0. */
  labelSmoothing?: number;
  /**
   * Token log-probabilities of an answer are summed (`'sum'`, TRL and the DPO
   * paper) or averaged over the answer's tokens (`'mean'`, the LLMs-from-scratch
   * DPO notebook). Default `'sum'`.
   */
  reduction?: 'sum' | 'mean';
}

/** {@link DPOOptions} with defaults filled in and checked. */
export type ResolvedDPOOptions = Required<DPOOptions>;

/** A DPO option out of range. */
export class DPOOptionError extends TunekitError {
  /**
   * @param message - which option is wrong and why
   * @param fix - what to pass instead
   */
  constructor(message: string, fix: string) {
    super('dpo_option', message, { fix });
  }
}

/** Fills defaults and rejects options that make no sense (before any work starts). */
export function resolveDPOOptions(options: DPOOptions = {}): ResolvedDPOOptions {
  const resolved: ResolvedDPOOptions = { beta: options.beta ?? 0.1, lossType: options.lossType ?? 'sigmoid', labelSmoothing: options.labelSmoothing ?? 0, reduction: options.reduction ?? 'sum' };
  if (!(Number.isFinite(resolved.beta) && resolved.beta > 0)) throw new DPOOptionError(`dpo.beta is ${options.beta}; it must be a finite number > 0.`, 'Use 0.1 (the default) or a value such as 0.05–0.5.');
  if (!['sigmoid', 'ipo', 'hinge'].includes(resolved.lossType)) throw new DPOOptionError(`dpo.lossType is "${String(options.lossType)}".`, "Use 'sigmoid', 'ipo' or 'hinge'.");
  if (!(resolved.labelSmoothing >= 0 && resolved.labelSmoothing < 0.5)) throw new DPOOptionError(`dpo.labelSmoothing is ${options.labelSmoothing}; it must be in [0, 0.5).`, 'Use 0 (plain DPO) or a small share such as 0.1.');
  if (resolved.labelSmoothing > 0 && resolved.lossType !== 'sigmoid') {
    throw new DPOOptionError(`dpo.labelSmoothing ${resolved.labelSmoothing} is only defined for lossType 'sigmoid', not '${resolved.lossType}'.`, "Set labelSmoothing to 0 or lossType to 'sigmoid'.");
  }
  if (!['sum', 'mean'].includes(resolved.reduction)) throw new DPOOptionError(`dpo.reduction is "${String(options.reduction)}".`, "Use 'sum' (TRL) or 'mean' (the chapter's notebook).");
  return resolved;
}

/** Log-probabilities of a batch of pairs, each [B]. */
export interface PairLogProbs {
  /** Policy, chosen answers. */
  policyChosen: tf.Tensor1D;
  /** Policy, rejected answers. */
  policyRejected: tf.Tensor1D;
  /** Reference, chosen answers. */
  referenceChosen: tf.Tensor1D;
  /** Reference, rejected answers. */
  referenceRejected: tf.Tensor1D;
}

/** Per-pair DPO losses and implicit rewards, each [B]. The rewards are for logging and never enter the loss. */
export interface DPOTerms {
  /** Loss of each pair. */
  losses: tf.Tensor1D;
  /** β·(log π(c) − log π_ref(c)). */
  chosenRewards: tf.Tensor1D;
  /** β·(log π(r) − log π_ref(r)). */
  rejectedRewards: tf.Tensor1D;
}

/** The DPO loss and rewards of each pair. */
export function dpoTerms(logProbs: PairLogProbs, options: ResolvedDPOOptions): DPOTerms {
  return tidyObject(() => {
    const { beta, lossType, labelSmoothing } = options;
    const { policyChosen, policyRejected, referenceChosen, referenceRejected } = logProbs;
    const margin = tf.sub(tf.sub(policyChosen, policyRejected), tf.sub(referenceChosen, referenceRejected)); // h
    const scaled = tf.mul(margin, beta);
    let losses: tf.Tensor;
    if (lossType === 'sigmoid') {
      // −log σ(x) = softplus(−x), stable for large |x|.
      losses = tf.mul(tf.softplus(tf.neg(scaled)), 1 - labelSmoothing);
      if (labelSmoothing > 0) losses = tf.add(losses, tf.mul(tf.softplus(scaled), labelSmoothing));
    } else if (lossType === 'hinge') {
      losses = tf.relu(tf.sub(1, scaled));
    } else {
      losses = tf.square(tf.sub(margin, 1 / (2 * beta)));
    }
    const chosenRewards = tf.mul(tf.sub(policyChosen, referenceChosen), beta);
    const rejectedRewards = tf.mul(tf.sub(policyRejected, referenceRejected), beta);
    return { losses: losses as tf.Tensor1D, chosenRewards: chosenRewards as tf.Tensor1D, rejectedRewards: rejectedRewards as tf.Tensor1D };
  });
}
