/** Class-balanced downsampling for classification rows. @module */
import { InvalidArgumentError } from '../errors/common-errors.js';
import { shuffled } from './random.js';

/** Options of {@link balanceClasses}. */
export interface BalanceOptions<T> {
  /** Seed of the sampling. Default 123. */
  seed?: number;
  /** Reads a row's class. Default `row.label`. */
  labelOf?: (row: T) => string | number;
  /** Rows to keep per class. Default: the size of the smallest class. */
  perClass?: number;
}

/**
 * Keeps the same number of rows of every class, sampled with a seed (as
 * LLMs-from-scratch chapter 6 keeps 747 ham to match 747 spam). Kept rows
 * stay in their original order.
 */
export function balanceClasses<T>(rows: readonly T[], options: BalanceOptions<T> = {}): T[] {
  const labelOf = options.labelOf ?? ((row: T) => (row as { label: string | number }).label);
  const byClass = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = String(labelOf(row));
    const list = byClass.get(key);
    if (list) list.push(i);
    else byClass.set(key, [i]);
  });
  const smallest = Math.min(...[...byClass.values()].map((l) => l.length));
  const perClass = options.perClass ?? smallest;
  if (perClass > smallest) throw new InvalidArgumentError(`cannot keep ${perClass} rows per class: the smallest class has ${smallest}`, { fix: 'Keep at most that many rows per class, or collect more rows of the smallest class.' });
  const keep = new Set<number>();
  let seed = options.seed ?? 123;
  // Classes are sampled in a fixed (sorted) order, each with its own derived seed.
  for (const key of [...byClass.keys()].sort()) {
    for (const i of shuffled(byClass.get(key)!, { seed: seed++ }).slice(0, perClass)) keep.add(i);
  }
  return rows.filter((_, i) => keep.has(i));
}
