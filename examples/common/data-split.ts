/**
 * The data preamble every example runs before it makes a model: find the data
 * file, read its records, split them, and check that no split is empty — so a
 * bad file fails before anything is trained or written.
 */
import { readFile } from 'node:fs/promises';
import { requireExamples } from '@tunekit/core';
import { balanceClasses, type ClassificationRecord, type LocatedRecord, readRecordsOrThrow, type RecordKind, type RecordOfKind, splitRecords } from '@tunekit/formats';
import { type DataFileSpec, resolveDataFile } from './data-files';
import type { ExampleOptions } from './options';

/** Train, validation and test records. */
export interface Splits<T> {
  train: T[];
  val: T[];
  test: T[];
}

/** The records of a data file and their splits. */
export interface SplitData<T> {
  /** The data file used. */
  file: string;
  /** Every record of the file, in file order. */
  records: T[];
  splits: Splits<T>;
}

/** Chapter 6's split of the balanced spam data. */
export const SPLIT_70_10_20 = { train: 0.7, val: 0.1, test: 0.2 } as const;
/** Chapter 7's split of the instruction data. */
export const SPLIT_85_10_5 = { train: 0.85, test: 0.1, val: 0.05 } as const;

/** A seeded shuffled split of `records` into `fractions` (formats' `splitRecords`). */
export function shuffledSplit<T>(records: readonly T[], fractions: { train: number; val: number; test: number }, seed: number): Splits<T> {
  const { train, val, test } = splitRecords(records, { fractions, seed });
  return { train, val, test };
}

/** Finds the data file (`options.data`, the data folders, the cache, a download), reads its `kind` records, and splits them with `split`. */
export async function readSplitData<K extends RecordKind>(
  spec: DataFileSpec, kind: K, options: ExampleOptions, split: (records: readonly LocatedRecord<RecordOfKind[K]>[]) => Splits<LocatedRecord<RecordOfKind[K]>>,
  read: { labels?: string[] } = {},
): Promise<SplitData<LocatedRecord<RecordOfKind[K]>>> {
  const file = await resolveDataFile(spec, { ...options, path: options.data, log: options.print ?? (() => {}) });
  const records = (await readRecordsOrThrow(await readFile(file, 'utf8'), { kind, file, ...read })) as LocatedRecord<RecordOfKind[K]>[];
  const splits = split(records);
  for (const part of ['train', 'val', 'test'] as const) requireExamples(splits[part], { what: `${file}: the ${part} split` });
  return { file, records, splits };
}

/** Chapter 6's preparation: read the labelled messages, balance the classes (seeded), split 70/10/20 (seeded). */
export async function readBalancedSplit(spec: DataFileSpec, labels: readonly string[], options: ExampleOptions, seed: number): Promise<SplitData<LocatedRecord<ClassificationRecord>> & { balanced: number }> {
  let balanced = 0;
  const data = await readSplitData(spec, 'classification', options, (rows) => {
    const kept = balanceClasses(rows, { seed, labelOf: (row) => row.record.label });
    balanced = kept.length;
    return shuffledSplit(kept, SPLIT_70_10_20, seed);
  }, { labels: [...labels] });
  return { ...data, balanced };
}
