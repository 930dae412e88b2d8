// Node file I/O: atomic writes leave either the old or the new file, never a
// half-written one, and no temporary files behind.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileNotFoundError } from '@tunekit/formats';
import { nodeFileIO } from './node-file-io';

const directory = mkdtempSync(join(tmpdir(), 'tunekit-files-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const files = nodeFileIO();

describe('nodeFileIO', () => {
  it('writes atomically, replacing the old content, with no temporary file left', async () => {
    const path = join(directory, 'nested', 'a.json');
    await files.writeFileAtomic(path, '{"v":1}');
    await files.writeFileAtomic(path, new TextEncoder().encode('{"v":2}'));
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(directory, 'nested'))).toEqual(['a.json']);
  });

  it('keeps the previous file when a streamed write fails midway', async () => {
    const path = join(directory, 'weights.bin');
    writeFileSync(path, 'previous');
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      throw new Error('disk full (simulated)');
    }
    await expect(files.writeChunksAtomic?.(path, failing())).rejects.toThrow(/simulated/);
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(directory).filter((name) => name.includes('weights'))).toEqual(['weights.bin']);
  });

  it('reads, streams, lists, checks and removes', async () => {
    const path = join(directory, 'list', 'b.txt');
    await files.writeFileAtomic(path, 'hello');
    expect(new TextDecoder().decode(await files.readFile(path))).toBe('hello');
    const opened = await files.openRead?.(path);
    let total = 0;
    for await (const chunk of opened?.chunks ?? []) total += chunk.byteLength;
    expect({ size: opened?.size, total }).toEqual({ size: 5, total: 5 });
    expect(await files.listDirectory(join(directory, 'list'))).toEqual(['b.txt']);
    expect(await files.exists(path)).toBe(true);
    await files.remove(join(directory, 'list'));
    expect(await files.exists(path)).toBe(false);
    expect(await files.listDirectory(join(directory, 'list'))).toEqual([]);
    await expect(files.readFile(path)).rejects.toThrow(/Cannot read .*b\.txt/);
  });

  it('renames files (replacing the target) and folders; a missing source is a FileNotFoundError', async () => {
    const from = join(directory, 'rename', 'from.txt');
    const to = join(directory, 'rename', 'to.txt');
    await files.writeFileAtomic(from, 'new');
    await files.writeFileAtomic(to, 'old');
    await files.rename?.(from, to);
    expect(readFileSync(to, 'utf8')).toBe('new');
    expect(readdirSync(join(directory, 'rename'))).toEqual(['to.txt']);
    await files.rename?.(join(directory, 'rename'), join(directory, 'renamed'));
    expect(readFileSync(join(directory, 'renamed', 'to.txt'), 'utf8')).toBe('new');
    await expect(files.rename?.(from, to)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('has the cache members: sizes, appends, sha256, relative symlinks, ~ and relative paths', async () => {
    const blob = join(directory, 'cache', 'blobs', 'abc');
    await files.appendChunks?.(blob, (async function* () { yield new TextEncoder().encode('hello, '); })());
    await files.appendChunks?.(blob, (async function* () { yield new TextEncoder().encode('world'); })());
    expect(readFileSync(blob, 'utf8')).toBe('hello, world');
    expect(await files.fileSize?.(blob)).toBe(12);
    expect(await files.fileSize?.(join(directory, 'cache'))).toBeUndefined();
    expect(await files.fileSize?.(join(directory, 'nothing'))).toBeUndefined();
    expect(await files.sha256?.(blob)).toBe(createHash('sha256').update('hello, world').digest('hex'));
    const link = join(directory, 'cache', 'snapshots', 'c1', 'sub', 'file.txt');
    await files.symlink?.(blob, link);
    expect(readlinkSync(link)).toBe(join('..', '..', '..', 'blobs', 'abc'));
    expect(await files.fileSize?.(link)).toBe(12);
    await expect(files.symlink?.(blob, link)).rejects.toThrow();
    expect(await files.resolvePath?.('~/.cache')).toBe(join(homedir(), '.cache'));
    expect(await files.resolvePath?.('~')).toBe(homedir());
    expect(await files.resolvePath?.('models/x')).toBe(resolve('models/x'));
  });
});
