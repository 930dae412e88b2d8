/**
 * The order in which examples are drawn: a seeded shuffle per epoch, so the
 * order is a pure function of (seed, epoch) and a checkpoint only needs the
 * epoch and the batch index to resume exactly where it stopped.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import { SeededRandom } from '../util/random';

/** Where the next batch comes from. */
export interface DataPosition {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based index of the next batch within the epoch. */
  batch: number;
}

/** Options of {@link BatchOrder}. */
export interface BatchOrderOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle every epoch. Default true. */
  shuffle?: boolean;
  /** Drop the last incomplete batch of an epoch (as the chapters' training loaders do). Default true. */
  dropLast?: boolean;
  /** Seed of the shuffles. Default 0. */
  seed?: number;
}

/** Deterministic batches of example indices, epoch after epoch. */
export class BatchOrder {
  /** Number of examples. */
  readonly size: number;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  private readonly options: Required<BatchOrderOptions>;
  private cachedEpoch = -1;
  private cachedOrder: number[] = [];

  constructor(size: number, options: BatchOrderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${options.batchSize}`, { fix: 'Pass batchSize as a whole number ≥ 1.' });
    this.options = { batchSize: options.batchSize, shuffle: options.shuffle ?? true, dropLast: options.dropLast ?? true, seed: options.seed ?? 0 };
    this.size = size;
    this.batchSize = options.batchSize;
    this.batchesPerEpoch = this.options.dropLast ? Math.floor(size / this.batchSize) : Math.ceil(size / this.batchSize);
  }

  /** The permutation of example indices used in `epoch`. */
  epochOrder(epoch: number): number[] {
    if (epoch !== this.cachedEpoch) {
      const indices = Array.from({ length: this.size }, (_, i) => i);
      // One generator per epoch, seeded from (seed, epoch): no state to carry between epochs.
      if (this.options.shuffle) new SeededRandom((Math.imul(this.options.seed >>> 0, 0x9e3779b1) ^ (epoch + 1)) >>> 0).shuffle(indices);
      this.cachedEpoch = epoch;
      this.cachedOrder = indices;
    }
    return this.cachedOrder;
  }

  /** Example indices of the batch at `position`. */
  batchAt(position: DataPosition): number[] {
    if (position.batch < 0 || position.batch >= this.batchesPerEpoch) throw new InvalidArgumentError(`batch ${position.batch} is outside epoch of ${this.batchesPerEpoch} batches`, { fix: 'Resume from a checkpoint written for this data set and batchSize (the batch count per epoch changed).' });
    const start = position.batch * this.batchSize;
    return this.epochOrder(position.epoch).slice(start, Math.min(start + this.batchSize, this.size));
  }

  /** The position after `position`. */
  next(position: DataPosition): DataPosition {
    return position.batch + 1 < this.batchesPerEpoch ? { epoch: position.epoch, batch: position.batch + 1 } : { epoch: position.epoch + 1, batch: 0 };
  }
}

/** Consecutive, unshuffled batches of `size` examples (for evaluation), at most `limit` of them. */
export function sequentialBatches(options: { size: number; batchSize: number; limit?: number }): number[][] {
  const { size, batchSize, limit = Infinity } = options;
  const batches: number[][] = [];
  for (let start = 0; start < size && batches.length < limit; start += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, size - start) }, (_, i) => start + i));
  }
  return batches;
}
