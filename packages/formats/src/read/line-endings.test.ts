import { describe, expect, it } from 'vitest';
import { numberedLines } from './lines.js';
import { readRecords } from './read-records.js';

async function lines(chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const { text, line } of numberedLines(toAsync(chunks))) out.push(`${line}:${text}`);
  return out;
}

async function* toAsync(chunks: string[]): AsyncGenerator<string> {
  yield* chunks;
}

describe('line endings: \\n, \\r\\n and a lone \\r each end one line', () => {
  it('splits lone-CR text into lines', async () => {
    expect(await lines(['a\rb\rc'])).toEqual(['1:a', '2:b', '3:c']);
    expect(await lines(['a\r\rb\r'])).toEqual(['1:a', '2:', '3:b']);
  });

  it('mixes the three, even when a \\r\\n is split across chunks', async () => {
    expect(await lines(['a\r', '\nb\r', 'c\nd\r\n'])).toEqual(['1:a', '2:b', '3:c', '4:d']);
    expect(await lines(['a\r', '', '\r', '\n'])).toEqual(['1:a', '2:']);
  });

  it('keeps TSV row lines exact in a lone-CR file (a classic Mac / spreadsheet export)', async () => {
    const read = await readRecords('ham\tone\rspam\ttwo\rbroken\rham\tthree\r', { file: 'sms.tsv' });
    expect(read.records.map((r) => [r.line, r.record])).toEqual([
      [1, { label: 'ham', text: 'one' }],
      [2, { label: 'spam', text: 'two' }],
      [4, { label: 'ham', text: 'three' }],
    ]);
    expect(read.errors.map((e) => e.line)).toEqual([3]);
  });

  it('numbers JSONL and JSON-array lines the same way', async () => {
    const jsonl = await readRecords('{"instruction": "a", "output": "b"}\r{"instruction": "c"\r{"instruction": "e", "output": "f"}\r', { file: 'x.jsonl' });
    expect(jsonl.records.map((r) => r.line)).toEqual([1, 3]);
    expect(jsonl.errors.map((e) => e.line)).toEqual([2]);
    const array = await readRecords('[\r{"instruction": "a", "output": "b"},\r\n{"instruction": "c",\r "output": 5}\r]', { file: 'x.json' });
    expect(array.records.map((r) => r.line)).toEqual([2]);
    expect(array.errors.map((e) => [e.line, e.field])).toEqual([[4, 'output']]);
  });
});
