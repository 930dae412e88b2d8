/**
 * The token-embedding matrix `wte` [V, C], stored as row chunks.
 *
 * GPT-2 ties its output projection to `wte`, so this table serves both the
 * input lookup and the LM head. WebGPU limits the size of one buffer binding
 * (often 128 MiB), and GPT-2's 50257 × 768 float32 table is 154 MB, so the
 * table is split into row chunks that each fit; on the CPU it is one chunk.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { float32Variable } from '../tf/variables';

/** A vocabulary-sized matrix split into row chunks of trainable variables. */
export class EmbeddingTable {
  /** Row chunks, each [rows_i, C]; together the rows of the table in order. */
  readonly chunks: tf.Variable[];
  /** First row of each chunk. */
  readonly rowOffsets: number[];
  readonly vocabSize: number;
  readonly dim: number;
  /**
   * The binding limit (bytes) of the backend the table was made for, which
   * also bounds the logits computed against it; undefined when unlimited.
   */
  readonly maxBindingBytes: number | undefined;

  private constructor(chunks: tf.Variable[], vocabSize: number, dim: number, maxBindingBytes: number | undefined) {
    this.chunks = chunks;
    this.maxBindingBytes = maxBindingBytes;
    this.vocabSize = vocabSize;
    this.dim = dim;
    this.rowOffsets = [];
    let offset = 0;
    for (const chunk of chunks) {
      this.rowOffsets.push(offset);
      offset += chunk.shape[0] as number;
    }
  }

  /**
   * Builds the table from row-major values [vocabSize, dim].
   * @param maxChunkRows - largest number of rows per chunk (default: all rows in one chunk)
   * @param maxBindingBytes - the backend's binding limit, kept for the code that computes logits against the table
   */
  static fromValues(values: Float32Array, vocabSize: number, dim: number, maxChunkRows = vocabSize, maxBindingBytes?: number): EmbeddingTable {
    if (values.length !== vocabSize * dim) {
      throw new InvalidArgumentError(`EmbeddingTable: got ${values.length} values for [${vocabSize}, ${dim}]`, { fix: 'Pass vocabSize × dim values, row-major (one row per token).' });
    }
    const numChunks = Math.ceil(vocabSize / Math.max(1, Math.min(maxChunkRows, vocabSize)));
    // Equal-sized chunks keep every chunk as far below the limit as possible.
    const rowsPerChunk = Math.ceil(vocabSize / numChunks);
    const chunks: tf.Variable[] = [];
    for (let start = 0; start < vocabSize; start += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, vocabSize - start);
      const slice = values.subarray(start * dim, (start + rows) * dim);
      chunks.push(float32Variable(slice, [rows, dim]));
    }
    return new EmbeddingTable(chunks, vocabSize, dim, maxBindingBytes);
  }

  /** Rows for `ids` (int32, any shape) → [...ids.shape, C]. */
  gather(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (this.chunks.length === 1) return tf.gather(this.chunks[0] as tf.Variable, ids);
      let sum: tf.Tensor | undefined;
      this.chunks.forEach((chunk, i) => {
        const rows = chunk.shape[0] as number;
        const local = tf.sub(ids, tf.scalar(this.rowOffsets[i] as number, 'int32'));
        const inRange = tf.logicalAnd(tf.greaterEqual(local, 0), tf.less(local, rows));
        const safe = tf.where(inRange, local, tf.zerosLike(local));
        // Out-of-range rows are gathered as row 0 and zeroed, so their
        // gradient contribution to this chunk is zero as well.
        const part = tf.mul(tf.gather(chunk, safe), tf.expandDims(tf.cast(inRange, 'float32'), -1));
        sum = sum === undefined ? part : tf.add(sum, part);
      });
      return sum as tf.Tensor;
    });
  }

  /** The chunk's logits `hidden · chunkᵀ`: hidden [N, C] → [N, rows_i]. */
  projectChunk(hidden: tf.Tensor2D, chunkIndex: number): tf.Tensor2D {
    return tf.matMul(hidden, this.chunks[chunkIndex] as tf.Variable, false, true);
  }

  /** The full projection `hidden · tableᵀ`: hidden [N, C] → [N, V]. */
  project(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const parts = this.chunks.map((_, i) => this.projectChunk(hidden, i));
      return parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 1);
    });
  }

  /** The whole table as row-major float32 values (for saving). */
  async values(): Promise<Float32Array> {
    const out = new Float32Array(this.vocabSize * this.dim);
    for (let i = 0; i < this.chunks.length; i++) {
      out.set(await (this.chunks[i] as tf.Variable).data() as Float32Array, (this.rowOffsets[i] as number) * this.dim);
    }
    return out;
  }

  /** Releases the variables. */
  dispose(): void {
    for (const chunk of this.chunks) chunk.dispose();
  }
}
