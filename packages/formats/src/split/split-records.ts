/** Seeded train/validation/test splits. @module */
import { InvalidArgumentError } from '../errors/common-errors.js';
import { shuffled } from './random.js';

/** Split fractions as an object; its key order is the cutting order. */
export interface NamedFractions {
  /** Fraction for training. */
  train: number;
  /** Fraction for validation. */
  val: number;
  /** Fraction for testing. */
  test: number;
}

/** Split fractions: `[train, val, test]`, or {@link NamedFractions} cut in key order. */
export type SplitFractions = readonly [number, number, number] | NamedFractions;

/** Options of {@link splitRecords}. */
export interface SplitOptions {
  /** The fractions; they must sum to 1. */
  fractions: SplitFractions;
  /** Seed of the shuffle. Default 123 (the LLMs-from-scratch chapters' `random_state`). */
  seed?: number;
  /** Shuffle before cutting. Default true. */
  shuffle?: boolean;
}

/** The three parts of a split. */
export interface Split<T> {
  /** Training records. */
  train: T[];
  /** Validation records. */
  val: T[];
  /** Test records. */
  test: T[];
}

/**
 * Splits records deterministically. Parts are cut in order: every part but
 * the last gets `floor(n × fraction)` records and the last gets the rest,
 * as both LLMs-from-scratch chapters do. With an object the key order is the
 * cutting order, so chapter 7's `train = 85%, test = 10%, val = rest` is
 * `{train: 0.85, test: 0.10, val: 0.05}` (935/110/55 of 1,100), and chapter
 * 6's is `{train: 0.7, val: 0.1, test: 0.2}`.
 */
export function splitRecords<T>(records: readonly T[], options: SplitOptions): Split<T> {
  const entries = fractionEntries(options.fractions);
  const total = entries.reduce((sum, [, f]) => sum + f, 0);
  if (entries.some(([, f]) => !(f >= 0)) || Math.abs(total - 1) > 1e-6) {
    throw new InvalidArgumentError(`split fractions must be non-negative and sum to 1, got ${entries.map(([k, f]) => `${k}=${f}`).join(', ')}`, { fix: 'Pass fractions that add up to 1, e.g. { train: 0.8, val: 0.1, test: 0.1 }.' });
  }
  const items = options.shuffle === false ? [...records] : shuffled(records, { seed: options.seed ?? 123 });
  const split: Split<T> = { train: [], val: [], test: [] };
  let start = 0;
  entries.forEach(([part, fraction], i) => {
    // The epsilon keeps 0.29 × 100 at 29 rather than 28.999… → 28.
    const end = i === entries.length - 1 ? items.length : start + Math.floor(items.length * fraction + 1e-9);
    split[part] = items.slice(start, end);
    start = end;
  });
  return split;
}

function fractionEntries(fractions: SplitFractions): ['train' | 'val' | 'test', number][] {
  if (Array.isArray(fractions)) {
    const [train, val, test] = fractions as readonly [number, number, number];
    return [['train', train], ['val', val], ['test', test]];
  }
  const keys = Object.keys(fractions).sort();
  if (keys.join() !== 'test,train,val') throw new InvalidArgumentError('split fractions need exactly the keys train, val and test', { fix: 'Pass { train, val, test } (0 for a split you do not want).' });
  return Object.entries(fractions) as ['train' | 'val' | 'test', number][];
}
