/**
 * Next-token cross-entropy computed straight from hidden states and the tied
 * embedding table, in token chunks, so that the [tokens × vocabulary] logits
 * never exist whole and their gradient is formed once per chunk. Rows whose
 * label is the ignore index (-100) are dropped before the LM head, so masked
 * prompt tokens and padding cost nothing.
 */
import { DataError } from '../data/data-error';
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingTable } from '../model/embedding-table';

/** The label value that contributes no loss (PyTorch's `ignore_index`). */
export const IGNORE_INDEX = -100;

/** Options of {@link lmCrossEntropy}. */
export interface CrossEntropyOptions {
  /** Rows per chunk. Default: as many as keep one chunk's logits near 64 MiB and under the backend's binding limit. */
  tokenChunk?: number;
  /** Recompute logits in the backward pass instead of keeping them (less memory, one more matMul). Default false. */
  recompute?: boolean;
}

const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Rows per chunk: one chunk's [rows × V] logits stay near 64 MiB, and below
 * the buffer-binding limit (WebGPU) of the backend the table lives on, with
 * headroom. The table carries that limit, so code that switches tfjs engines
 * by itself still gets logits that fit.
 */
function defaultTokenChunk(table: EmbeddingTable): number {
  const { vocabSize, maxBindingBytes: limit } = table;
  const budget = limit === undefined ? DEFAULT_CHUNK_BYTES : Math.min(DEFAULT_CHUNK_BYTES, Math.floor(limit * 0.9));
  return Math.max(1, Math.floor(budget / (vocabSize * 4)));
}

function validRows(labels: ArrayLike<number>, vocabSize: number): { rows: number[]; targets: number[] } {
  const rows: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label === IGNORE_INDEX) continue;
    if (!Number.isInteger(label) || label < 0 || label >= vocabSize) {
      throw new DataError(`label at position ${i} is ${label}: expected a token id in [0, ${vocabSize}) or ${IGNORE_INDEX}`);
    }
    rows.push(i);
    targets.push(label);
  }
  return { rows, targets };
}

/** Logits of a row chunk against every table chunk: [m, V]. */
function chunkLogits(hidden: tf.Tensor2D, weights: readonly tf.Tensor[]): tf.Tensor2D {
  const parts = weights.map((w) => tf.matMul(hidden, w, false, true));
  return parts.length === 1 ? (parts[0] as tf.Tensor2D) : (tf.concat(parts, 1) as tf.Tensor2D);
}

/** Sum over the chunk of (logsumexp − target logit), with the gradient written out by hand. */
function chunkLossSum(hidden: tf.Tensor2D, targets: tf.Tensor1D, weights: readonly tf.Tensor[], trainable: boolean[], recompute: boolean): tf.Scalar {
  const vocabSize = weights.reduce((n, w) => n + (w.shape[0] as number), 0);
  const rows = hidden.shape[0];
  const trainableWeights = weights.filter((_, i) => trainable[i]);
  const op = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    const h = inputs[0] as tf.Tensor2D;
    const logits = chunkLogits(h, weights); // [m, V]
    const logSumExp = tf.logSumExp(logits, 1); // [m]
    const flatIndex = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocabSize, 'int32')), targets);
    const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex); // [m]
    // Everything the backward pass reads must be saved: tensors merely
    // captured by this closure are disposed by the enclosing tidy before
    // backpropagation runs.
    save(recompute ? [h, logSumExp, targets] : [h, logSumExp, targets, logits]);
    return {
      value: tf.sum(tf.sub(logSumExp, picked)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedHidden, savedLse, savedTargets, savedLogits] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D | undefined];
        const fullLogits = savedLogits ?? chunkLogits(savedHidden, weights);
        const probabilities = tf.exp(tf.sub(fullLogits, tf.expandDims(savedLse, 1))); // softmax [m, V]
        // oneHot is built as int32 and cast: tfjs-backend-wasm 4.22 returns
        // all zeros for oneHot(..., 'float32').
        const targetMask = tf.cast(tf.oneHot(savedTargets, vocabSize), 'float32');
        const delta = tf.mul(tf.sub(probabilities, targetMask), dy) as tf.Tensor2D; // d(loss)/d(logits) [m, V]
        let offset = 0;
        let hiddenGrad: tf.Tensor2D | undefined;
        const weightGrads: tf.Tensor2D[] = [];
        weights.forEach((w, i) => {
          const width = w.shape[0] as number;
          const slice = weights.length === 1 ? delta : tf.slice(delta, [0, offset], [rows, width]);
          offset += width;
          const part = tf.matMul(slice, w) as tf.Tensor2D; // [m, C]
          hiddenGrad = hiddenGrad ? (tf.add(hiddenGrad, part) as tf.Tensor2D) : part;
          if (trainable[i]) weightGrads.push(tf.matMul(slice, savedHidden, true, false)); // [V_i, C]
        });
        return [hiddenGrad as tf.Tensor2D, ...weightGrads];
      },
    };
  });
  return op(hidden, ...trainableWeights) as tf.Scalar;
}

/**
 * Mean cross-entropy of next-token predictions.
 * @param hidden - final hidden states [B, T, C] or [N, C]
 * @param table - the LM head's matrix: `model.outputEmbedding` (`wte` when tied)
 * @param labels - target id per row (B·T of them, row-major), or -100 to ignore
 * @returns a scalar; differentiable with respect to `hidden` and the table
 */
export function lmCrossEntropy(hidden: tf.Tensor, table: EmbeddingTable, labels: ArrayLike<number>, options: CrossEntropyOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const dim = hidden.shape[hidden.rank - 1] as number;
    const flat = tf.reshape(hidden, [-1, dim]) as tf.Tensor2D; // [N, C]
    if (flat.shape[0] !== labels.length) {
      throw new InvalidArgumentError(`lmCrossEntropy: ${flat.shape[0]} hidden rows but ${labels.length} labels`);
    }
    const { rows, targets } = validRows(labels, table.vocabSize);
    // No target: a zero that still depends on the inputs, so gradients exist (as zeros).
    if (rows.length === 0) return tf.mul(tf.sum(flat), 0) as tf.Scalar;
    const selected = rows.length === labels.length ? flat : tf.gather(flat, tf.tensor1d(rows, 'int32'));
    const chunk = Math.max(1, options.tokenChunk ?? defaultTokenChunk(table));
    const trainable = table.chunks.map((c) => c.trainable);
    let total: tf.Scalar | undefined;
    for (let start = 0; start < rows.length; start += chunk) {
      const size = Math.min(chunk, rows.length - start);
      const part = chunkLossSum(
        size === rows.length ? selected : (tf.slice(selected, [start, 0], [size, dim]) as tf.Tensor2D),
        tf.tensor1d(targets.slice(start, start + size), 'int32'),
        table.chunks,
        trainable,
        options.recompute ?? false,
      );
      total = total ? (tf.add(total, part) as tf.Scalar) : part;
    }
    return tf.div(total as tf.Scalar, rows.length) as tf.Scalar;
  });
}

/** Loss sum, correct top-1 predictions and counted rows, without gradients (for evaluation). */
export interface TokenStats {
  lossSum: number;
  correct: number;
  count: number;
}

/** Evaluation statistics of next-token prediction; see {@link lmCrossEntropy} for the arguments. */
export async function lmTokenStats(hidden: tf.Tensor, table: EmbeddingTable, labels: ArrayLike<number>, options: Pick<CrossEntropyOptions, 'tokenChunk'> = {}): Promise<TokenStats> {
  const dim = hidden.shape[hidden.rank - 1] as number;
  const { rows, targets } = validRows(labels, table.vocabSize);
  const stats: TokenStats = { lossSum: 0, correct: 0, count: rows.length };
  const chunk = Math.max(1, options.tokenChunk ?? defaultTokenChunk(table));
  for (let start = 0; start < rows.length; start += chunk) {
    const size = Math.min(chunk, rows.length - start);
    const chunkTargets = targets.slice(start, start + size);
    const [loss, predicted] = tf.tidy(() => {
      const flat = tf.reshape(hidden, [-1, dim]) as tf.Tensor2D;
      const h = tf.gather(flat, tf.tensor1d(rows.slice(start, start + size), 'int32')) as tf.Tensor2D;
      const logits = chunkLogits(h, table.chunks);
      const picked = tf.gather(tf.reshape(logits, [-1]), tf.add(tf.mul(tf.range(0, size, 1, 'int32'), tf.scalar(table.vocabSize, 'int32')), tf.tensor1d(chunkTargets, 'int32')));
      return [tf.sum(tf.sub(tf.logSumExp(logits, 1), picked)), tf.argMax(logits, 1)];
    });
    stats.lossSum += (await loss.data())[0] as number;
    const argmax = await predicted.data();
    chunkTargets.forEach((target, i) => {
      if (argmax[i] === target) stats.correct++;
    });
    loss.dispose();
    predicted.dispose();
  }
  return stats;
}
