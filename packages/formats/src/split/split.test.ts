import { describe, expect, it } from 'vitest';
import { readRecordsFromFile } from '../node.js';
import type { ClassificationRecord } from '../records/record-types.js';
import { sharedFile } from '../testing/shared-data.js';
import { balanceClasses } from './balance-classes.js';
import { seededRandom, shuffled } from './random.js';
import { splitRecords } from './split-records.js';

const hundred = Array.from({ length: 100 }, (_, i) => i);

describe('seeded randomness', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(shuffled(hundred, { seed: 1 })).toEqual(shuffled(hundred, { seed: 1 }));
    expect(shuffled(hundred, { seed: 1 })).not.toEqual(shuffled(hundred, { seed: 2 }));
    expect([...shuffled(hundred, { seed: 1 })].sort((x, y) => x - y)).toEqual(hundred);
  });
});

describe('splitRecords', () => {
  it('gives the chapter-7 sizes for instruction-data.json: 935 / 55 / 110', async () => {
    const { records } = await readRecordsFromFile(sharedFile('instruction-data.json'));
    const split = splitRecords(records, { fractions: [0.85, 0.05, 0.1], seed: 123 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([935, 55, 110]);
    expect(new Set([...split.train, ...split.val, ...split.test]).size).toBe(1100);
  });

  it('reproduces chapter 7 exactly without shuffling: train, then test, then val', async () => {
    const { records } = await readRecordsFromFile(sharedFile('instruction-data.json'));
    const split = splitRecords(records, { fractions: { train: 0.85, test: 0.1, val: 0.05 }, shuffle: false });
    // ch07: train = data[:935], test = data[935:1045], val = data[1045:]
    expect(split.train).toEqual(records.slice(0, 935));
    expect(split.test).toEqual(records.slice(935, 1045));
    expect(split.val).toEqual(records.slice(1045));
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = splitRecords(hundred, { fractions: { train: 0.7, val: 0.1, test: 0.2 }, seed: 7 });
    expect(splitRecords(hundred, { fractions: { train: 0.7, val: 0.1, test: 0.2 }, seed: 7 })).toEqual(a);
    expect(splitRecords(hundred, { fractions: { train: 0.7, val: 0.1, test: 0.2 }, seed: 8 }).train).not.toEqual(a.train);
    expect([a.train.length, a.val.length, a.test.length]).toEqual([70, 10, 20]);
  });

  it('cuts floor(n × fraction), the last part taking the rest (no 0.29 × 100 = 28 surprise)', () => {
    const split = splitRecords(hundred, { fractions: [0.29, 0.29, 0.42], shuffle: false });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([29, 29, 42]);
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => splitRecords(hundred, { fractions: [0.8, 0.1, 0.05] })).toThrow('split fractions must be non-negative and sum to 1, got train=0.8, val=0.1, test=0.05');
  });
});

describe('balanceClasses', () => {
  it('keeps 747 ham and 747 spam from the SMS file, seeded, in file order', async () => {
    const { records } = await readRecordsFromFile(sharedFile('SMSSpamCollection.tsv'));
    const rows = records.map((r) => r.record as ClassificationRecord);
    const balanced = balanceClasses(rows, { seed: 123 });
    expect(balanced).toHaveLength(1494);
    expect(balanced.filter((r) => r.label === 'spam')).toHaveLength(747);
    expect(balanced.filter((r) => r.label === 'ham')).toHaveLength(747);
    expect(balanceClasses(rows, { seed: 123 })).toEqual(balanced);
    expect(balanceClasses(rows, { seed: 124 })).not.toEqual(balanced);
    const positions = balanced.map((r) => rows.indexOf(r));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Chapter 6 then splits 70/10/20: 1045 / 149 / 300.
    const split = splitRecords(balanced, { fractions: { train: 0.7, val: 0.1, test: 0.2 }, seed: 123 });
    expect([split.train.length, split.val.length, split.test.length]).toEqual([1045, 149, 300]);
  });

  it('refuses more rows per class than the smallest class has', () => {
    expect(() => balanceClasses([{ label: 'a' }, { label: 'b' }, { label: 'b' }], { perClass: 2 })).toThrow('the smallest class has 1');
  });
});
