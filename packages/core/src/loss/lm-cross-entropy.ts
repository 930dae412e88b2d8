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
import { canFuseSoftmaxCrossEntropy, fusedLogitsGrad, fusedRowLosses } from './fused-softmax-cross-entropy';

/** The label value that contributes no loss (PyTorch's `ignore_index`). */
export const IGNORE_INDEX = -100;

/** Options of {@link lmCrossEntropy}. */
export interface CrossEntropyOptions {
  /**
   * Rows per chunk. Default: as many as keep one chunk's logits near 64 MiB,
   * or (fused kernels) near 256 MiB or twice the trainable table's bytes,
   * whichever is more, and under the backend's binding limit; the rows are
   * then spread evenly over the chunks.
   */
  tokenChunk?: number;
  /** Recompute logits in the backward pass instead of keeping them (less memory, one more matMul). Default false. */
  recompute?: boolean;
}

const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;
const FUSED_CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Rows per chunk for `rows` rows: one chunk's [rows × V] logits stay near
 * 64 MiB, and below the buffer-binding limit (WebGPU) of the backend the
 * table lives on, with headroom. The table carries that limit, so code that
 * switches tfjs engines by itself still gets logits that fit.
 *
 * With the fused kernels a chunk's backward holds one [rows × V] buffer
 * instead of about two op-path temporaries at a time, and each chunk is two
 * more products that pack the whole [V, C] table: a 333-row chunk ran the LM
 * head at ~160 GFLOP/s where one 1,024-row product ran at ~210 (LoRA r16
 * 4×256, frozen table, profile at 32e9924: 920 → ~680 ms a step). So the
 * fused path lets a chunk grow to 256 MiB, or to twice the trainable table's
 * bytes (every extra chunk of a trainable table costs two [V, C] buffers:
 * its table-gradient partial and the new running sum): GPT-2's 4×256 or
 * 1×1024 tokens are one chunk. The chunks are then made equal, so no chunk
 * is a sliver that costs a whole table pass for a few rows (1,024 rows at
 * 333 a chunk left a 25-row chunk at ~65 ms).
 */
function defaultTokenChunk(table: EmbeddingTable, fused: boolean, rows: number): number {
  const { vocabSize, maxBindingBytes: limit } = table;
  const trainableBytes = table.chunks.reduce((n, c) => n + (c.trainable ? c.size * 4 : 0), 0);
  const wanted = fused ? Math.max(FUSED_CHUNK_BYTES, 2 * trainableBytes) : DEFAULT_CHUNK_BYTES;
  const budget = limit === undefined ? wanted : Math.min(wanted, Math.floor(limit * 0.9));
  const largest = Math.max(1, Math.floor(budget / (vocabSize * 4)));
  return rows <= largest ? largest : Math.ceil(rows / Math.ceil(rows / largest));
}

function validRows(labels: ArrayLike<number>, vocabSize: number): { rows: number[]; targets: number[] } {
  const rows: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label === IGNORE_INDEX) continue;
    if (!Number.isInteger(label) || label < 0 || label >= vocabSize) {
      throw new DataError(`label at position ${i} is ${label}: expected a token id in [0, ${vocabSize}) or ${IGNORE_INDEX}`, {
        fix: `Encode the labels with this model's tokenizer (vocabulary ${vocabSize}) and mark positions to ignore with ${IGNORE_INDEX}.`,
      });
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

/** Σ over the rows of logits [m, V] of (logsumexp − target logit), and the logsumexp per row [m]. */
function logitsLossSum(logits: tf.Tensor2D, targets: readonly number[], fused: boolean): { sum: tf.Scalar; logSumExp: tf.Tensor1D } {
  const [rows, vocabSize] = logits.shape;
  const targetIds = tf.tensor1d(targets as number[], 'int32');
  if (fused) {
    const { loss, logSumExp } = fusedRowLosses(logits, targetIds);
    return { sum: tf.sum(loss) as tf.Scalar, logSumExp };
  }
  const logSumExp = tf.logSumExp(logits, 1) as tf.Tensor1D;
  const flatIndex = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocabSize, 'int32')), targetIds);
  const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex); // [m]
  return { sum: tf.sum(tf.sub(logSumExp, picked)) as tf.Scalar, logSumExp };
}

/** The chunk's logits [m, V], loss sum and logsumexp per row. */
function chunkForward(h: tf.Tensor2D, targets: readonly number[], weights: readonly tf.Tensor[], fused: boolean): { sum: tf.Scalar; logSumExp: tf.Tensor1D; logits: tf.Tensor2D } {
  const logits = chunkLogits(h, weights);
  return { ...logitsLossSum(logits, targets, fused), logits };
}

/** d(loss)/d(logits) [m, V] = (softmax − onehot(targets))·dy, op by op; disposes `logits` unless `keepLogits`. */
function opLogitsGrad(logits: tf.Tensor2D, logSumExp: tf.Tensor1D, targets: readonly number[], dy: tf.Tensor, keepLogits: boolean): tf.Tensor2D {
  // Each [m, V] temporary is freed as soon as it is used, so this holds about two at a time.
  const shifted = tf.sub(logits, tf.expandDims(logSumExp, 1));
  if (!keepLogits) logits.dispose();
  const probabilities = tf.exp(shifted); // softmax [m, V]
  shifted.dispose();
  // oneHot is built as int32 and cast: tfjs-backend-wasm 4.22 returns
  // all zeros for oneHot(..., 'float32').
  const targetInts = tf.oneHot(tf.tensor1d(targets as number[], 'int32'), logits.shape[1]);
  const targetMask = tf.cast(targetInts, 'float32');
  targetInts.dispose();
  const difference = tf.sub(probabilities, targetMask);
  tf.dispose([probabilities, targetMask]);
  const delta = tf.mul(difference, dy) as tf.Tensor2D;
  difference.dispose();
  return delta;
}

/** d(loss)/d(hidden rows) [m, C] and d(loss)/d(each trainable table chunk) [V_i, C] of one chunk, scaled by dy. */
function chunkBackward(
  h: tf.Tensor2D, logSumExp: tf.Tensor1D, targets: readonly number[], keptLogits: tf.Tensor2D | undefined, dy: tf.Tensor,
  weights: readonly tf.Tensor[], trainable: readonly boolean[], fused: boolean,
): tf.Tensor2D[] {
  return tf.tidy(() => {
    const rows = h.shape[0];
    const logits = keptLogits ?? chunkLogits(h, weights);
    let delta: tf.Tensor2D; // d(loss)/d(logits) [m, V]
    if (fused) {
      delta = fusedLogitsGrad(dy, logits, tf.tensor1d(targets as number[], 'int32'), logSumExp);
      if (!keptLogits) logits.dispose();
    } else {
      delta = opLogitsGrad(logits, logSumExp, targets, dy, keptLogits !== undefined);
    }
    let offset = 0;
    let hiddenGrad: tf.Tensor2D | undefined;
    const weightGrads: tf.Tensor2D[] = [];
    weights.forEach((w, i) => {
      const width = w.shape[0] as number;
      const slice = weights.length === 1 ? delta : tf.slice(delta, [0, offset], [rows, width]);
      offset += width;
      const part = tf.matMul(slice, w) as tf.Tensor2D; // [m, C]
      const previous = hiddenGrad;
      hiddenGrad = previous ? (tf.add(previous, part) as tf.Tensor2D) : part;
      if (previous) tf.dispose([previous, part]);
      if (trainable[i]) weightGrads.push(tf.matMul(slice, h, true, false)); // [V_i, C]
      if (slice !== delta) slice.dispose();
    });
    return [hiddenGrad as tf.Tensor2D, ...weightGrads];
  });
}

/**
 * Σ over all rows of (logsumexp − target logit), chunk by chunk, with the
 * gradient written out by hand. One op for all chunks, so that the table's
 * gradient is summed as it is formed: as one op per chunk, tfjs would keep
 * every chunk's [V, C] table gradient until the backward pass ends.
 */
function lossSum(hidden: tf.Tensor2D, targets: readonly number[], weights: readonly tf.Tensor[], trainable: boolean[], chunk: number, recompute: boolean, fused: boolean): tf.Scalar {
  const [rows, dim] = hidden.shape;
  const starts: number[] = [];
  for (let start = 0; start < rows; start += chunk) starts.push(start);
  const rowsOf = (start: number) => Math.min(chunk, rows - start);
  const sliceRows = (t: tf.Tensor2D, start: number) => (rowsOf(start) === rows ? t : (tf.slice(t, [start, 0], [rowsOf(start), dim]) as tf.Tensor2D));
  const trainableWeights = weights.filter((_, i) => trainable[i]);
  const op = tf.customGrad((...args: unknown[]) => {
    const h = args[0] as tf.Tensor2D;
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    let total: tf.Scalar | undefined;
    const logSumExps: tf.Tensor1D[] = [];
    const logits: tf.Tensor2D[] = [];
    for (const start of starts) {
      const part = tf.tidy(() => {
        const out = chunkForward(sliceRows(h, start), targets.slice(start, start + rowsOf(start)), weights, fused);
        return recompute ? [out.sum, out.logSumExp] : [out.sum, out.logSumExp, out.logits];
      });
      logSumExps.push(part[1] as tf.Tensor1D);
      if (!recompute) logits.push(part[2] as tf.Tensor2D);
      const previous = total;
      total = previous ? (tf.add(previous, part[0] as tf.Scalar) as tf.Scalar) : (part[0] as tf.Scalar);
      if (previous) tf.dispose([previous, part[0] as tf.Tensor]);
    }
    // Everything the backward pass reads must be saved: tensors merely
    // captured by this closure are disposed by the enclosing tidy before
    // backpropagation runs.
    save([h, ...logSumExps, ...logits]);
    return {
      value: total as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedHidden = saved[0] as tf.Tensor2D;
        const savedLse = saved.slice(1, 1 + starts.length) as tf.Tensor1D[];
        const savedLogits = saved.slice(1 + starts.length) as tf.Tensor2D[];
        const hiddenParts: tf.Tensor2D[] = new Array(starts.length);
        let tableGrads: tf.Tensor2D[] | undefined;
        // Last chunk first: the order in which tfjs summed the per-chunk gradients before, so the floats are unchanged.
        for (let c = starts.length - 1; c >= 0; c--) {
          const start = starts[c] as number;
          const [hiddenPart, ...parts] = tf.tidy(() => {
            const h = sliceRows(savedHidden, start);
            return chunkBackward(h, savedLse[c] as tf.Tensor1D, targets.slice(start, start + rowsOf(start)), savedLogits[c], dy, weights, trainable, fused);
          });
          hiddenParts[c] = hiddenPart as tf.Tensor2D;
          if (!tableGrads) {
            tableGrads = parts;
          } else {
            const previous = tableGrads;
            tableGrads = previous.map((g, i) => tf.add(g, parts[i] as tf.Tensor2D) as tf.Tensor2D);
            tf.dispose([...previous, ...parts]);
          }
        }
        const hiddenGrad = hiddenParts.length === 1 ? (hiddenParts[0] as tf.Tensor2D) : (tf.concat(hiddenParts, 0) as tf.Tensor2D);
        if (hiddenParts.length > 1) tf.dispose(hiddenParts);
        return [hiddenGrad, ...(tableGrads ?? [])];
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
      throw new InvalidArgumentError(`lmCrossEntropy: ${flat.shape[0]} hidden rows but ${labels.length} labels`, {
        fix: 'Pass one label per hidden row (B·T of them, row-major), with -100 where no loss is wanted.',
      });
    }
    const { rows, targets } = validRows(labels, table.vocabSize);
    // No target: a zero that still depends on the inputs, so gradients exist (as zeros).
    if (rows.length === 0) return tf.mul(tf.sum(flat), 0) as tf.Scalar;
    const selected = rows.length === labels.length ? flat : tf.gather(flat, tf.tensor1d(rows, 'int32'));
    // The fused kernels where the backend has them (the native CPU kernels), else the op path (wasm, WebGPU).
    const fused = canFuseSoftmaxCrossEntropy();
    const chunk = Math.max(1, options.tokenChunk ?? defaultTokenChunk(table, fused, rows.length));
    const trainable = table.chunks.map((c) => c.trainable);
    const total = lossSum(selected, targets, table.chunks, trainable, chunk, options.recompute ?? false, fused);
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
  const fused = canFuseSoftmaxCrossEntropy();
  const chunk = Math.max(1, options.tokenChunk ?? defaultTokenChunk(table, fused, rows.length));
  for (let start = 0; start < rows.length; start += chunk) {
    const size = Math.min(chunk, rows.length - start);
    const chunkTargets = targets.slice(start, start + size);
    const [loss, predicted] = tf.tidy(() => {
      const flat = tf.reshape(hidden, [-1, dim]) as tf.Tensor2D;
      const h = tf.gather(flat, tf.tensor1d(rows.slice(start, start + size), 'int32')) as tf.Tensor2D;
      const logits = chunkLogits(h, table.chunks);
      return [logitsLossSum(logits, chunkTargets, fused).sum, tf.argMax(logits, 1)];
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
