import { describe, expect, it } from 'vitest';
import { readRecords } from '../read/read-records.js';
import { toJSONArray, toJSONL, toTSV } from './write-records.js';

describe('writers', () => {
  const rows = [
    { label: 'ham', text: 'He said "hi"' },
    { label: 'spam', text: 'WIN' },
  ];

  it('write what the readers read back', async () => {
    for (const [text, format] of [
      [toJSONL(rows), 'jsonl'],
      [toJSONArray(rows), 'json'],
      [toTSV(rows, { columns: ['label', 'text'] }), 'tsv'],
    ] as const) {
      const back = await readRecords(text, { format, kind: 'classification' });
      expect(back.errors).toEqual([]);
      expect(back.records.map((r) => r.record)).toEqual(rows);
    }
  });

  it('write TSV literally, with an optional header, and refuse values with tabs', () => {
    expect(toTSV(rows, { columns: ['label', 'text'], header: true })).toBe('label\ttext\nham\tHe said "hi"\nspam\tWIN\n');
    expect(() => toTSV([{ label: 'a', text: 'x\ty' }], { columns: ['label', 'text'] })).toThrow('row 0, column "text": TSV values cannot contain tabs or line breaks');
  });
});
