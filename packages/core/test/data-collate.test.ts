// Collation against an independent transcription of LLMs-from-scratch
// chapter 7's custom_collate_fn (as described in REFERENCE.md §5: append one
// <|endoftext|>, pad to the longest item + 1, inputs = [:-1], targets = [1:],
// every pad in the targets except the first becomes -100, then truncate).
import { describe, expect, it } from 'vitest';
import { BatchOrder, collateCausalLM, collateClassification, collatePreferences, DataError, SeededRandom, sequentialBatches } from '@tunekit/core';

const EOS = 50256;

/** The chapter's algorithm, written from its description; texts must not contain 50256. */
function chapterCollate(batch: number[][], allowedMaxLength?: number): { inputs: number[][]; targets: number[][] } {
  const longest = Math.max(...batch.map((item) => item.length + 1));
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (const item of batch) {
    const padded = [...item, EOS];
    while (padded.length < longest) padded.push(EOS);
    let input = padded.slice(0, -1);
    let target = padded.slice(1);
    const firstPad = target.indexOf(EOS);
    target = target.map((id, i) => (id === EOS && i > firstPad ? -100 : id));
    if (allowedMaxLength !== undefined) {
      input = input.slice(0, allowedMaxLength);
      target = target.slice(0, allowedMaxLength);
    }
    inputs.push(input);
    targets.push(target);
  }
  return { inputs, targets };
}

describe('collateCausalLM', () => {
  it("gives the chapter's tensors for its worked example", () => {
    // The chapter's three inputs; our examples carry the EOS that its collate appends.
    const batch = collateCausalLM([[0, 1, 2, 3, 4], [5, 6], [7, 8, 9]].map((ids) => ({ inputIds: [...ids, EOS] })));
    expect(batch.inputIds).toEqual([[0, 1, 2, 3, 4], [5, 6, EOS, EOS, EOS], [7, 8, 9, EOS, EOS]]);
    expect(batch.labels).toEqual([[1, 2, 3, 4, EOS], [6, EOS, -100, -100, -100], [8, 9, EOS, -100, -100]]);
    expect(batch.lengths).toEqual([5, 2, 3]);
    expect(batch.targetCount).toBe(5 + 2 + 3);
  });

  it('equals the chapter collate on random batches, with and without allowed_max_length', () => {
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 50; trial++) {
      const batch = Array.from({ length: 1 + random.nextInt(6) }, () => Array.from({ length: 1 + random.nextInt(20) }, () => random.nextInt(EOS)));
      const maxLength = trial % 2 ? 1 + random.nextInt(15) : undefined;
      const ours = collateCausalLM(batch.map((ids) => ({ inputIds: [...ids, EOS] })), { maxLength });
      const reference = chapterCollate(batch, maxLength);
      expect(ours.inputIds).toEqual(reference.inputs);
      expect(ours.labels).toEqual(reference.targets);
    }
  });

  it('keeps a real <|endoftext|> inside a text as a target (lengths, not pad ids, decide)', () => {
    const batch = collateCausalLM([{ inputIds: [10, EOS, 11, EOS] }, { inputIds: [12, EOS] }]);
    expect(batch.labels).toEqual([[EOS, 11, EOS], [EOS, -100, -100]]);
  });

  it('maskPrompt puts -100 on prompt targets using the example labels', () => {
    const example = { inputIds: [1, 2, 3, 4, 5, EOS], labels: [-100, -100, -100, 4, 5, EOS] };
    expect(collateCausalLM([example]).labels).toEqual([[2, 3, 4, 5, EOS]]);
    const masked = collateCausalLM([example], { maskPrompt: true });
    expect(masked.labels).toEqual([[-100, -100, 4, 5, EOS]]);
    expect(masked.targetCount).toBe(3);
  });

  it('uses padTokenId and ignoreIndex', () => {
    const batch = collateCausalLM([{ inputIds: [1, 2, 3] }, { inputIds: [4, 5] }], { padTokenId: 0, ignoreIndex: -1 });
    expect(batch.inputIds).toEqual([[1, 2], [4, 0]]);
    expect(batch.labels).toEqual([[2, 3], [5, -1]]);
  });

  it('rejects examples too short to have a target, naming the record', () => {
    expect(() => collateCausalLM([{ inputIds: [1], source: { file: 'data.json', line: 7, record: 2 } }])).toThrow(DataError);
    expect(() => collateCausalLM([{ inputIds: [1], source: { file: 'data.json', line: 7, record: 2 } }])).toThrow('data.json:7 (record 2)');
  });
});

describe('collateClassification', () => {
  it('right-pads with 50256, records lengths and labels, honours padTo and maxLength', () => {
    const examples = [{ inputIds: [1, 2, 3], label: 1 }, { inputIds: [4], label: 0 }];
    expect(collateClassification(examples)).toEqual({ inputIds: [[1, 2, 3], [4, EOS, EOS]], lengths: [3, 1], labels: [1, 0] });
    expect(collateClassification(examples, { padTo: 5 }).inputIds).toEqual([[1, 2, 3, EOS, EOS], [4, EOS, EOS, EOS, EOS]]);
    expect(collateClassification(examples, { maxLength: 2 })).toEqual({ inputIds: [[1, 2], [4, EOS]], lengths: [2, 1], labels: [1, 0] });
  });
});

describe('collatePreferences', () => {
  it('stacks chosen rows then rejected rows, padded together', () => {
    const batch = collatePreferences([{ chosen: [1, 2], rejected: [1, 3, 4] }, { chosen: [5], rejected: [6, 7] }]);
    expect(batch.inputIds).toEqual([[1, 2, EOS], [5, EOS, EOS], [1, 3, 4], [6, 7, EOS]]);
    expect(batch.lengths).toEqual([2, 1, 3, 2]);
    expect(batch.pairs).toBe(2);
  });
});

describe('BatchOrder', () => {
  it('is a pure function of (seed, epoch): same order for the same seed, a new permutation each epoch', () => {
    const a = new BatchOrder(10, { batchSize: 3, seed: 4 });
    const b = new BatchOrder(10, { batchSize: 3, seed: 4 });
    expect(a.batchesPerEpoch).toBe(3); // the last incomplete batch is dropped
    expect(a.epochOrder(0)).toEqual(b.epochOrder(0));
    expect(a.epochOrder(1)).not.toEqual(a.epochOrder(0));
    expect([...a.epochOrder(1)].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new BatchOrder(10, { batchSize: 3, seed: 5 }).epochOrder(0)).not.toEqual(a.epochOrder(0));
    expect(a.batchAt({ epoch: 1, batch: 2 })).toEqual(a.epochOrder(1).slice(6, 9));
    expect(a.next({ epoch: 0, batch: 2 })).toEqual({ epoch: 1, batch: 0 });
  });

  it('keeps the order without shuffling and the last batch without dropLast', () => {
    const order = new BatchOrder(5, { batchSize: 2, shuffle: false, dropLast: false });
    expect(order.batchesPerEpoch).toBe(3);
    expect(order.batchAt({ epoch: 3, batch: 2 })).toEqual([4]);
    expect(sequentialBatches({ size: 5, batchSize: 2 })).toEqual([[0, 1], [2, 3], [4]]);
    expect(sequentialBatches({ size: 5, batchSize: 2, limit: 2 })).toEqual([[0, 1], [2, 3]]);
  });
});
