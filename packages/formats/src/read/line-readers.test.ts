import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseJSONL } from './jsonl.js';
import { numberedLines } from './lines.js';
import type { ParsedItem } from './parsed-item.js';
import { textChunks } from './text-source.js';
import { parseTSV } from './tsv.js';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('textChunks', () => {
  it('decodes UTF-8 split across chunks and drops a byte-order mark', async () => {
    const bytes = new TextEncoder().encode('\uFEFFnaïve ✓');
    const parts = [bytes.slice(0, 4), bytes.slice(4, 9), bytes.slice(9)];
    expect((await all(textChunks(parts))).join('')).toBe('naïve ✓');
    expect((await all(textChunks('\uFEFFtext'))).join('')).toBe('text');
  });

  it('reads web streams, Node streams and ArrayBuffers', async () => {
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a\n'));
        controller.enqueue(new TextEncoder().encode('b'));
        controller.close();
      },
    });
    expect((await all(textChunks(web))).join('')).toBe('a\nb');
    expect((await all(textChunks(Readable.from([Buffer.from('x'), Buffer.from('y')])))).join('')).toBe('xy');
    expect((await all(textChunks(new TextEncoder().encode('z').buffer as ArrayBuffer)))).toEqual(['z']);
  });
});

describe('numberedLines', () => {
  it('numbers lines across chunks, strips CR, and drops only the final empty line', async () => {
    const lines = await all(numberedLines(textChunks(['one\r\ntw', 'o\n\nthr', 'ee\n'])));
    expect(lines).toEqual([
      { text: 'one', line: 1 },
      { text: 'two', line: 2 },
      { text: '', line: 3 },
      { text: 'three', line: 4 },
    ]);
  });
});

describe('parseJSONL', () => {
  it('reads one record per line, skipping blank lines, and reports bad lines', async () => {
    const text = '{"messages": []}\n\n{"messages": [}\nnot json\n{"ok": true}';
    const items: ParsedItem[] = await all(parseJSONL(text, { file: 'chat.jsonl' }));
    expect(items.map((i) => (i.ok ? `record ${i.index} @${i.line}` : `${i.error.file}:${i.error.line} ${i.error.message}`))).toEqual([
      'record 0 @1',
      'chat.jsonl:3 invalid JSON: Unexpected token \'}\'',
      "chat.jsonl:4 invalid JSON: Unexpected token 'o'",
      'record 3 @5',
    ]);
  });
});

describe('parseTSV', () => {
  it('keeps fields literally (quotes included) and checks the field count', async () => {
    const text = 'ham\tHe said "hi" ok\nspam\t"Free" entry\nbroken line without tab\nham\ttoo\tmany\n';
    const items = await all(parseTSV(text, { file: 'sms.tsv' }));
    expect(items.map((i) => (i.ok ? i.value : `${i.error.line}: ${i.error.message}`))).toEqual([
      { label: 'ham', text: 'He said "hi" ok' },
      { label: 'spam', text: '"Free" entry' },
      '3: expected 2 tab-separated fields (label, text), found 1',
      '4: expected 2 tab-separated fields (label, text), found 3',
    ]);
  });

  it('takes column names from a header line when asked', async () => {
    const items = await all(parseTSV('text\tlabel\nhello\tham\n', { file: 'x.tsv', header: true }));
    expect(items).toEqual([{ ok: true, value: { text: 'hello', label: 'ham' }, index: 0, line: 2 }]);
  });
});
