/**
 * Reward modelling on preference pairs: the pairwise (Bradley–Terry) loss
 * `−log σ(r_chosen − r_rejected)`, averaged over pairs; accuracy is the share
 * of pairs with `r_chosen > r_rejected`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { collatePreferences, type PadOptions, type PreferenceBatch } from '../../data/collate';
import type { PreferenceExample } from '../../data/examples';
import type { ValueHead } from '../../heads/value-head';
import type { GPT2Model } from '../../model/gpt2-model';
import { sequenceScores } from './sequence-scores';
import type { Pass, Task } from './task';

/** Rewards of the chosen and rejected rows, each [B]. */
function rewards(model: GPT2Model, head: ValueHead, batch: PreferenceBatch, pass?: Pass): [tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const values = tf.reshape(sequenceScores(model, head, batch.inputIds, batch.lengths, pass), [-1]); // [2B]
    return [tf.slice(values, 0, batch.pairs) as tf.Tensor1D, tf.slice(values, batch.pairs, batch.pairs) as tf.Tensor1D];
  });
}

/** Per-pair loss −log σ(chosen − rejected) = softplus(rejected − chosen), [B]. */
export function pairwiseLoss(chosen: tf.Tensor1D, rejected: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.softplus(tf.sub(rejected, chosen)) as tf.Tensor1D);
}

/** The reward-model task. */
export function rewardTask(model: GPT2Model, head: ValueHead, collate: PadOptions = {}): Task<PreferenceExample, PreferenceBatch> {
  return {
    kind: 'reward',
    collate: (examples) => collatePreferences(examples, collate),
    inputLength: (example) => Math.min(Math.max(example.chosen.length, example.rejected.length), collate.maxLength ?? Infinity),
    tokens: (batch) => batch.lengths.reduce((a, b) => a + b, 0),
    loss(batch: PreferenceBatch, pass: Pass): tf.Scalar {
      return tf.tidy(() => {
        const [chosen, rejected] = rewards(model, head, batch, pass);
        return tf.mean(pairwiseLoss(chosen, rejected)) as tf.Scalar;
      });
    },
    async stats(batch: PreferenceBatch) {
      const [losses, margins] = tf.tidy(() => {
        const [chosen, rejected] = rewards(model, head, batch);
        return [pairwiseLoss(chosen, rejected), tf.sub(chosen, rejected)];
      });
      const lossValues = await losses.data();
      const marginValues = await margins.data();
      tf.dispose([losses, margins]);
      let lossSum = 0;
      let correct = 0;
      for (let i = 0; i < batch.pairs; i++) {
        lossSum += lossValues[i] as number;
        if ((marginValues[i] as number) > 0) correct++;
      }
      return { lossSum, correct, count: batch.pairs };
    },
  };
}
