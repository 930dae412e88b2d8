/**
 * Log-probability of each row's answer under the model: the sum (or mean) of
 * `log p(token | earlier tokens)` over the positions whose label is not -100
 * (the prompt and the padding are masked). It reuses the chunked LM-head
 * cross-entropy row by row, so the [tokens × vocabulary] logits never exist
 * whole and only answer positions reach the LM head.
 */
import { DataError } from '../../data/data-error';
import * as tf from '@tensorflow/tfjs-core';
import type { CausalLMBatch } from '../../data/collate';
import { IGNORE_INDEX, lmCrossEntropy } from '../../loss/lm-cross-entropy';
import type { GPT2Model } from '../../model/gpt2-model';
import type { ForwardHooks } from '../../model/hooks';
import { rowLabels } from './causal-lm-task';
import type { Pass } from './task';

/** Options of {@link answerLogProbs}. */
export interface AnswerLogProbOptions {
  /** The model to score with. */
  model: GPT2Model;
  /** The batch whose answers (labels other than -100) are scored. */
  batch: CausalLMBatch;
  /** Sum the answer's token log-probabilities, or average them. */
  reduction: 'sum' | 'mean';
  /** Dropout state. Default: no dropout. */
  pass?: Pass;
  /** Hooks for this pass; `null` runs the bare base model (adapters off). Default: the model's. */
  hooks?: ForwardHooks | null;
}

/** [R] log-probabilities of each row's labelled tokens; differentiable with respect to the model's variables. */
export function answerLogProbs(options: AnswerLogProbOptions): tf.Tensor1D {
  const { model, batch } = options;
  return tf.tidy(() => {
    const { hidden } = model.transformer(batch.inputIds, { ...(options.pass ?? { training: false, seed: 0 }), hooks: options.hooks }); // [R, T', C]
    const [rows, time, channels] = hidden.shape;
    const values: tf.Scalar[] = [];
    for (let r = 0; r < rows; r++) {
      const labels = rowLabels([batch.labels[r] as number[]], time);
      const count = labels.reduce((n, label) => n + (label === IGNORE_INDEX ? 0 : 1), 0);
      if (count === 0) throw new DataError(`answerLogProbs: row ${r} has no answer token (every label is ${IGNORE_INDEX})`, { fix: 'Give that pair an answer that survives truncation (raise maxLength or shorten the prompt), or drop it.' });
      const meanLoss = lmCrossEntropy(tf.slice(hidden, [r, 0, 0], [1, time, channels]), model.outputEmbedding, labels);
      values.push(tf.mul(meanLoss, options.reduction === 'sum' ? -count : -1) as tf.Scalar);
    }
    return tf.stack(values) as tf.Tensor1D;
  });
}
