import { describe, expect, it } from 'vitest';
import { readRecords } from '../read/read-records.js';
import { toJsonArray, toJsonl, toTsv } from './write-records.js';

describe('writers', () => {
  const rows = [
    { label: 'ham', text: 'He said "hi"' },
    { label: 'spam', text: 'WIN' },
  ];

  it('write what the readers read back', async () => {
    for (const [text, format] of [
      [toJsonl(rows), 'jsonl'],
      [toJsonArray(rows), 'json'],
      [toTsv(rows, ['label', 'text']), 'tsv'],
    ] as const) {
      const back = await readRecords(text, { format, kind: 'classification' });
      expect(back.errors).toEqual([]);
      expect(back.records.map((r) => r.record)).toEqual(rows);
    }
  });

  it('write TSV literally, with an optional header, and refuse values with tabs', () => {
    expect(toTsv(rows, ['label', 'text'], { header: true })).toBe('label\ttext\nham\tHe said "hi"\nspam\tWIN\n');
    expect(() => toTsv([{ label: 'a', text: 'x\ty' }], ['label', 'text'])).toThrow('row 0, column "text": TSV values cannot contain tabs or line breaks');
  });
});
