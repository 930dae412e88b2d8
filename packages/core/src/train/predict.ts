/** Inference with a classification head (the chapter's `classify_review`). */
import * as tf from '@tensorflow/tfjs-core';
import { collateClassification } from '../data/collate';
import type { ClassificationHead } from '../heads/classification-head';
import type { GPT2Model } from '../model/gpt2-model';
import { sequenceScores } from './tasks/sequence-scores';

/** Options of {@link classifyTexts}. */
export interface ClassifyOptions {
  /** The model (with its active adapters). */
  model: GPT2Model;
  /** A trained head. */
  head: ClassificationHead;
  /** Texts to classify. */
  texts: readonly string[];
  /** Keep at most this many leading tokens of each text. Default: the model's context. */
  maxLength?: number;
  /** Texts per forward pass. Default 8. */
  batchSize?: number;
}

/** The predicted class and the class probabilities of one text. */
export interface Classification {
  /** Index of the most probable class. */
  label: number;
  /** Softmax probabilities, one per class. */
  probabilities: number[];
}

/** Classifies texts: softmax over the head's logits at each text's last token. */
export async function classifyTexts(options: ClassifyOptions): Promise<Classification[]> {
  const { model, head } = options;
  const maxLength = Math.min(options.maxLength ?? Infinity, model.config.contextLength - ((model.hooks?.promptEmbeddings?.length ?? 0) + (model.hooks?.attentionPrefix?.length ?? 0)));
  const batchSize = options.batchSize ?? 8;
  const results: Classification[] = [];
  for (let start = 0; start < options.texts.length; start += batchSize) {
    const texts = options.texts.slice(start, start + batchSize);
    const batch = collateClassification(texts.map((text) => ({ inputIds: model.tokenizer.encode(text), label: 0 })), { maxLength, padTokenId: model.config.eosTokenId });
    const probabilities = tf.tidy(() => tf.softmax(sequenceScores(model, head, batch.inputIds, batch.lengths)));
    const values = (await probabilities.array()) as number[][];
    probabilities.dispose();
    for (const row of values) results.push({ label: row.indexOf(Math.max(...row)), probabilities: row });
  }
  return results;
}
