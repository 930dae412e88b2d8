/** Sequence classification: softmax cross-entropy on the head's logits at the last real token. */
import { DataError } from '../../data/data-error';
import * as tf from '@tensorflow/tfjs-core';
import { type ClassificationBatch, type ClassificationCollateOptions, collateClassification } from '../../data/collate';
import type { ClassificationExample } from '../../data/examples';
import type { ClassificationHead } from '../../heads/classification-head';
import type { GPT2Model } from '../../model/gpt2-model';
import { sequenceScores } from './sequence-scores';
import type { Pass, Task } from './task';

/** Per-row cross-entropy [B] of logits [B, K] against class indices. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    labels.forEach((label, i) => {
      if (!Number.isInteger(label) || label < 0 || label >= classes) throw new DataError(`label ${label} of row ${i} is not a class index in [0, ${classes})`, { fix: "Encode labels with the head's label list (indices 0 to numLabels − 1), or give the head more labels." });
    });
    // oneHot is built as int32 and cast: tfjs-backend-wasm returns zeros for a float32 oneHot.
    const target = tf.cast(tf.oneHot(tf.tensor1d(labels as number[], 'int32'), classes), 'float32'); // [B, K]
    return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, target), 1)) as tf.Tensor1D;
  });
}

/** The classification task. */
export function classificationTask(model: GPT2Model, head: ClassificationHead, collate: ClassificationCollateOptions = {}): Task<ClassificationExample, ClassificationBatch> {
  return {
    kind: 'classification',
    collate: (examples) => collateClassification(examples, collate),
    inputLength: (example) => Math.max(Math.min(example.inputIds.length, collate.maxLength ?? Infinity), collate.padTo ?? 0),
    tokens: (batch) => batch.lengths.reduce((a, b) => a + b, 0),
    loss(batch: ClassificationBatch, pass: Pass): tf.Scalar {
      return tf.tidy(() => tf.mean(softmaxCrossEntropy(sequenceScores(model, head, batch.inputIds, batch.lengths, pass), batch.labels)) as tf.Scalar);
    },
    async stats(batch: ClassificationBatch) {
      const [losses, predicted] = tf.tidy(() => {
        const logits = sequenceScores(model, head, batch.inputIds, batch.lengths);
        return [softmaxCrossEntropy(logits, batch.labels), tf.argMax(logits, 1)];
      });
      const lossValues = await losses.data();
      const predictions = await predicted.data();
      tf.dispose([losses, predicted]);
      let lossSum = 0;
      let correct = 0;
      batch.labels.forEach((label, i) => {
        lossSum += lossValues[i] as number;
        if (predictions[i] === label) correct++;
      });
      return { lossSum, correct, count: batch.labels.length };
    },
  };
}
