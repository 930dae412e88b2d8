import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isTunekitError } from '../errors/tunekit-error.js';
import { readRecordsFromFile } from '../node.js';
import { sharedFile } from '../testing/shared-data.js';
import { readRecords } from './read-records.js';
import { sniffBytes } from './sniff-bytes.js';

const SMS = sharedFile('SMSSpamCollection.tsv');

/** Splits bytes into chunks of `size`, as a stream would deliver them. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

describe('gzip input is read through', () => {
  it('gives the same rows as the plain file, with or without a .gz name, from chunks or a web stream', async () => {
    const plain = await readRecordsFromFile(SMS);
    const gz = gzipSync(await readFile(SMS));
    const byName = await readRecords(chunked(gz, 1000), { file: 'sms.tsv.gz' });
    expect(byName.errors).toEqual([]);
    expect(byName.records.map((r) => [r.line, r.record])).toEqual(plain.records.map((r) => [r.line, r.record]));
    // A gzip file named as TSV used to be parsed as text: 12 of 32 "rows" valid.
    const misnamed = await readRecords(webStream(chunked(gz, 4096)), { file: 'sms.tsv' });
    expect(misnamed.records).toHaveLength(5574);
    expect(misnamed.errors).toEqual([]);
  });

  it('reads .jsonl.gz as JSONL', async () => {
    const text = '{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": "d"}\n';
    const read = await readRecords(gzipSync(text), { file: 'x.jsonl.gz' });
    expect([read.format, read.kind, read.records.map((r) => r.line)]).toEqual(['jsonl', 'alpaca', [1, 2]]);
  });

  it('reports damaged gzip data as one error instead of throwing', async () => {
    const gz = gzipSync(await readFile(SMS));
    const read = await readRecords(gz.subarray(0, gz.length / 2), { file: 'sms.tsv.gz' });
    expect(read.errors).toHaveLength(1);
    expect(read.errors[0]).toMatchObject({ file: 'sms.tsv.gz', code: 'corrupt_gzip' });
    expect(read.errors[0]!.message).toContain('the gzip data is damaged or cut short');
  });
});

describe('binary input is refused before anything is parsed', () => {
  it('names an executable, with no rows "valid"', async () => {
    const read = await readRecordsFromFile(process.execPath, { format: 'tsv' });
    expect(read.records).toEqual([]);
    expect(read.errors).toEqual([
      {
        file: process.execPath,
        line: 1,
        code: 'binary_file',
        message: 'not a text file: it looks like an executable (ELF). Give JSON, JSONL or TSV text (UTF-8 or UTF-16; gzip-compressed is fine).',
      },
    ]);
  });

  it('says where the first NUL byte is, and recognises UTF-16 without a byte-order mark', async () => {
    const bytes = new TextEncoder().encode('ham\thello\nspam\tx\0y\n');
    expect((await readRecords(bytes, { file: 'x.tsv' })).errors[0]!.message).toContain('binary data (a NUL byte at offset 16)');
    const utf16 = new Uint8Array(Buffer.from('ham\thello\n', 'utf16le'));
    expect(sniffBytes(utf16)).toEqual({ kind: 'binary', description: 'UTF-16 text without a byte-order mark' });
  });

  it('names common archive and image formats', () => {
    expect(sniffBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]))).toEqual({ kind: 'binary', description: 'a ZIP archive (also .xlsx, .docx)' });
    expect(sniffBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d]))).toEqual({ kind: 'binary', description: 'a PNG image' });
    expect(sniffBytes(new TextEncoder().encode('{"a": 1}'))).toEqual({ kind: 'text', encoding: 'utf-8' });
  });
});

describe('UTF-16 with a byte-order mark is decoded', () => {
  it('reads little- and big-endian files like their UTF-8 twin', async () => {
    const text = 'ham\tnaïve ✓\nspam\tWIN 👋\n';
    const le = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    const be = new Uint8Array([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]);
    for (const bytes of [le, be]) {
      const read = await readRecords(chunked(bytes, 7), { file: 'x.tsv' });
      expect(read.errors).toEqual([]);
      expect(read.records.map((r) => r.record)).toEqual([
        { label: 'ham', text: 'naïve ✓' },
        { label: 'spam', text: 'WIN 👋' },
      ]);
    }
  });
});

describe('CSV', () => {
  it('is refused by name, in the reader itself, unless the format is given as TSV', async () => {
    const text = 'ham,hello\nspam,win\n';
    const read = await readRecords(text, { file: 'messages.csv' });
    expect(read.records).toEqual([]);
    expect(read.errors).toHaveLength(1);
    expect(read.errors[0]).toMatchObject({ file: 'messages.csv', line: 1, code: 'unsupported_format' });
    expect(read.errors[0]!.message).toMatch(/^CSV is not supported/);
    // Without a name (standard input), a first line with commas and no tab is CSV too.
    const unnamed = await readRecords('label,text\nham,hello\n');
    expect(unnamed.errors.map((e) => [e.file, e.line, e.code])).toEqual([['<input>', 1, 'unsupported_format']]);
    expect((await readRecords('ham\thello, world\n')).records).toHaveLength(1);
    const asTsv = await readRecords('ham\thello\n', { file: 'tabs.csv', format: 'tsv' });
    expect(asTsv.records.map((r) => r.record)).toEqual([{ label: 'ham', text: 'hello' }]);
  });
});

describe('file paths that are not files', () => {
  it('reject with tunekit errors naming the path, not a raw EISDIR or ENOENT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-folder-'));
    try {
      const folder = await readRecordsFromFile(dir).catch((e: unknown) => e);
      expect(isTunekitError(folder, { code: 'is_directory' })).toBe(true);
      expect((folder as Error).message).toBe(`${dir} is a directory, not a data file. Give the path of a JSON, JSONL or TSV file.`);
      const missing = await readRecordsFromFile(join(dir, 'nope.jsonl')).catch((e: unknown) => e);
      expect(isTunekitError(missing, { code: 'file_not_found' })).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
