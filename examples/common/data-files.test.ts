// The data-file lookup order and the download path, against a local HTTP
// server on 127.0.0.1 (no network here): the UCI spam zip is unpacked by our
// zip reader, cached atomically, and not fetched twice.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, extractZipEntry, zipEntryNames } from './zip';
import { downloadDataFile, resolveDataFile } from './data-files';

/** A minimal zip (local headers, central directory, end record) written from the format's description. */
function makeZip(entries: { name: string; data: Uint8Array; store?: boolean }[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const body = entry.store ? Buffer.from(entry.data) : deflateRawSync(entry.data);
    const fields = (signature: number, extra: number) => {
      const header = Buffer.alloc(extra);
      header.writeUInt32LE(signature, 0);
      return header;
    };
    const local = fields(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.store ? 0 : 8, 8);
    local.writeUInt32LE(crc32(entry.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = fields(0x02014b50, 46);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(entry.store ? 0 : 8, 10);
    dir.writeUInt32LE(crc32(entry.data), 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(entry.data.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(dir, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}

const tsv = new TextEncoder().encode('ham\tsee you soon\nspam\tWIN a prize, txt 8008\n');
const zip = makeZip([{ name: 'readme.txt', data: new TextEncoder().encode('hello'), store: true }, { name: 'SMSSpamCollection', data: tsv }]);
const requests: string[] = [];
let server: Server;
let base: string;
const root = mkdtempSync(join(tmpdir(), 'tunekit-data-'));

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/sms.zip') response.end(Buffer.from(zip));
    else if (request.url === '/corrupt.zip') response.end(Buffer.from(zip.subarray(0, zip.length - 30)));
    else response.writeHead(404).end('not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('zip reader', () => {
  it('lists entries and extracts stored and deflated entries, checking CRC-32', () => {
    expect(zipEntryNames(zip)).toEqual(['readme.txt', 'SMSSpamCollection']);
    expect(new TextDecoder().decode(extractZipEntry(zip, 'readme.txt'))).toBe('hello');
    expect(extractZipEntry(zip, 'SMSSpamCollection')).toEqual(tsv);
    expect(() => extractZipEntry(zip, 'other', 'sms.zip')).toThrow('sms.zip: no entry "other" (entries: readme.txt, SMSSpamCollection)');
    const flipped = zip.slice();
    flipped[100] = (flipped[100] as number) ^ 0xff; // inside the deflated data
    expect(() => extractZipEntry(flipped, 'SMSSpamCollection', 'sms.zip')).toThrow(/sms\.zip/);
    expect(() => extractZipEntry(new Uint8Array(40), 'x', 'junk.zip')).toThrow('junk.zip: not a zip archive');
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('resolveDataFile', () => {
  const spec = (urls: string[]) => ({ name: 'SMSSpamCollection.tsv', urls, zipEntry: 'SMSSpamCollection' });

  it('downloads from the first URL that answers, unzips, caches atomically, and reuses the cache', async () => {
    const cacheDirectory = join(root, 'cache');
    requests.length = 0;
    const logs: string[] = [];
    const path = await resolveDataFile(spec([`${base}/gone.zip`, `${base}/sms.zip`]), { cacheDirectory, searchDirectories: [], log: (m) => logs.push(m) });
    expect(path).toBe(join(cacheDirectory, 'SMSSpamCollection.tsv'));
    expect(readFileSync(path)).toEqual(Buffer.from(tsv));
    expect(readdirSync(cacheDirectory)).toEqual(['SMSSpamCollection.tsv']); // no temporary file left behind
    expect(requests).toEqual(['/gone.zip', '/sms.zip']);
    expect(logs[0]).toMatch(/^downloading SMSSpamCollection\.tsv/);
    await resolveDataFile(spec([`${base}/sms.zip`]), { cacheDirectory, searchDirectories: [] });
    expect(requests).toHaveLength(2);
  });

  it('looks in --data, then the search folders, then the cache', async () => {
    const folder = join(root, 'shared-data');
    const cacheDirectory = join(root, 'cache2');
    for (const dir of [folder, cacheDirectory]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(cacheDirectory, 'SMSSpamCollection.tsv'), 'cached');
    const lookup = { cacheDirectory, searchDirectories: [folder] };
    expect(await resolveDataFile(spec([]), lookup)).toBe(join(cacheDirectory, 'SMSSpamCollection.tsv'));
    writeFileSync(join(folder, 'SMSSpamCollection.tsv'), 'shared');
    expect(await resolveDataFile(spec([]), lookup)).toBe(join(folder, 'SMSSpamCollection.tsv'));
    const explicit = join(root, 'mine.tsv');
    writeFileSync(explicit, 'mine');
    expect(await resolveDataFile(spec([]), { ...lookup, path: explicit })).toBe(explicit);
    await expect(resolveDataFile(spec([]), { ...lookup, path: join(root, 'nope.tsv') })).rejects.toThrow(/--data .*nope\.tsv: no such file/);
  });

  it('reports every failed URL and how to supply the file by hand; writes nothing', async () => {
    const cacheDirectory = join(root, 'cache3');
    const failure = resolveDataFile(spec([`${base}/gone.zip`, `${base}/corrupt.zip`]), { cacheDirectory, searchDirectories: [] });
    await expect(failure).rejects.toThrow(/Could not download SMSSpamCollection\.tsv:\n {2}.*gone\.zip: HTTP 404\n {2}.*corrupt\.zip: .*\nDownload it yourself and pass --data PATH/);
    expect(() => readdirSync(cacheDirectory)).toThrow();
    await expect(downloadDataFile({ name: 'x', urls: ['http://127.0.0.1:1/unreachable'] })).rejects.toThrow(/unreachable/);
  });
});
