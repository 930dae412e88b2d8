// A full disk never truncates a file silently: every write completes or fails
// with an error naming the path, and the previous file survives. Checked on a
// real 2 MiB tmpfs where this machine lets us mount one, and always through an
// injected file handle whose writes come back short, as Node's do on a full disk.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileIO } from '@tunekit/backend-cpu/node';
import { createModel, FileWriteError, hubDownload, saveModel } from '@tunekit/core';
import { fakeHub } from './fake-hub-fetch';
import { shortWrites } from './short-writes';
import { useTmpfs } from './tmpfs';

const directory = mkdtempSync(join(tmpdir(), 'tunekit-full-disk-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 251);

describe('short writes (injected)', () => {
  it('loops until every byte is written', async () => {
    const path = join(directory, 'looped.bin');
    const data = bytes(10_000, 1);
    await nodeFileIO({ openForWrite: shortWrites(7) }).writeChunksAtomic?.(path, [data.subarray(0, 4_000), data.subarray(4_000)]);
    expect(Buffer.compare(readFileSync(path), Buffer.from(data))).toBe(0);
    await nodeFileIO({ openForWrite: shortWrites(3) }).writeFileAtomic(path, 'hello, short writes');
    expect(readFileSync(path, 'utf8')).toBe('hello, short writes');
  });

  it('a write that makes no progress is a disk_full error naming the path; the old file survives and no temporary is left', async () => {
    const path = join(directory, 'kept', 'model.safetensors');
    mkdirSync(join(directory, 'kept'));
    writeFileSync(path, 'the good old model');
    const files = nodeFileIO({ openForWrite: shortWrites(1000, 2500) });
    for (const write of [() => files.writeChunksAtomic?.(path, [bytes(4_000, 2)]), () => files.writeFileAtomic(path, bytes(4_000, 3))]) {
      const error = await write()?.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(FileWriteError);
      expect(error).toMatchObject({ code: 'disk_full', path, bytesWritten: 2500, bytesExpected: 4000 });
      expect((error as Error).message).toContain(path);
      expect(readFileSync(path, 'utf8')).toBe('the good old model');
      expect(readdirSync(join(directory, 'kept'))).toEqual(['model.safetensors']);
    }
  });
});

describe('appends (the Hub cache\'s resumable downloads), short writes injected', () => {
  it('loop until every byte is appended; no progress is disk_full, and the bytes written stay to resume from', async () => {
    const path = join(directory, 'append', 'blob.incomplete');
    const data = bytes(5_000, 7);
    const chunks = (...parts: Uint8Array[]) => (async function* () { yield* parts; })();
    await nodeFileIO({ openForAppend: shortWrites(7, Infinity, 'a') }).appendChunks?.(path, chunks(data.subarray(0, 2_000), data.subarray(2_000)));
    expect(Buffer.compare(readFileSync(path), Buffer.from(data))).toBe(0);
    const error = await nodeFileIO({ openForAppend: shortWrites(1_000, 2_500, 'a') }).appendChunks?.(path, chunks(data)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FileWriteError);
    expect(error).toMatchObject({ code: 'disk_full', path, bytesWritten: 2_500, bytesExpected: 5_000 });
    expect(Buffer.compare(readFileSync(path), Buffer.from([...data, ...data.subarray(0, 2_500)]))).toBe(0);
  });
});

const tmpfs = useTmpfs('2m', 'the tmpfs full-disk test');

describe.skipIf(!('path' in tmpfs))('a real full disk (2 MiB tmpfs)', () => {
  it('a 3 MiB write over a 1 MiB file fails with ENOSPC naming the path, and the 1 MiB file is intact', async () => {
    const root = (tmpfs as { path: string }).path;
    const path = join(root, 'model.safetensors');
    const files = nodeFileIO();
    const good = bytes(1 << 20, 4);
    await files.writeChunksAtomic?.(path, [good]);
    const error = await files.writeChunksAtomic?.(path, [bytes(3 << 20, 5)]).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FileWriteError);
    expect(error).toMatchObject({ code: 'disk_full', path });
    expect(Buffer.compare(readFileSync(path), Buffer.from(good))).toBe(0);
    expect(readdirSync(root)).toEqual(['model.safetensors']);
    // The same through writeFileAtomic (one buffer).
    await expect(files.writeFileAtomic(path, bytes(3 << 20, 6))).rejects.toMatchObject({ code: 'disk_full', path });
    expect(Buffer.compare(readFileSync(path), Buffer.from(good))).toBe(0);
    expect(readdirSync(root)).toEqual(['model.safetensors']);
  });

  it('saveModel over a good model on a disk without room for the new one fails and keeps the good model', async () => {
    const root = (tmpfs as { path: string }).path;
    rmSync(join(root, 'model.safetensors'), { force: true });
    const directory = join(root, 'model');
    const config = { embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 32, vocabSize: 1000 };
    const [good, other] = [await createModel(config, { seed: 1 }), await createModel(config, { seed: 2 })];
    try {
      await saveModel({ model: good, directory, files: nodeFileIO() });
      const weights = readFileSync(join(directory, 'model.safetensors'));
      // Leave less room than the new file needs (it is the same size as the old one).
      writeFileSync(join(root, 'filler'), new Uint8Array((2 << 20) - weights.byteLength - Math.round(weights.byteLength / 2) - 8192)); // ≈ half the new file free
      await expect(saveModel({ model: other, directory, files: nodeFileIO() })).rejects.toMatchObject({ code: 'disk_full', path: join(directory, 'model.safetensors') });
      expect(Buffer.compare(readFileSync(join(directory, 'model.safetensors')), weights)).toBe(0);
      expect(readdirSync(directory).sort()).toEqual(['config.json', 'model.safetensors']);
    } finally {
      good.dispose();
      other.dispose();
      rmSync(join(root, 'filler'), { force: true });
    }
  });

  it('a Hub download larger than the disk fails with disk_full, keeps its .incomplete bytes and links nothing', async () => {
    const root = (tmpfs as { path: string }).path;
    const cacheDir = join(root, 'hub');
    const blob = bytes(3 << 20, 8);
    const hub = fakeHub({ id: 'acme/big', commit: 'b'.repeat(40), files: { 'model.safetensors': blob }, lfs: ['model.safetensors'] });
    try {
      const error = await hubDownload({ repoId: 'acme/big', filename: 'model.safetensors', files: nodeFileIO(), fetch: hub.fetch, endpoint: hub.endpoint, cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileWriteError);
      expect(error).toMatchObject({ code: 'disk_full' });
      const repo = join(cacheDir, 'models--acme--big');
      const [partial, ...others] = readdirSync(join(repo, 'blobs'));
      expect({ partial, others }).toEqual({ partial: `${createHash('sha256').update(blob).digest('hex')}.incomplete`, others: [] });
      // What is there is what was downloaded, for the next try to resume from.
      const kept = readFileSync(join(repo, 'blobs', partial!));
      expect(kept.byteLength).toBeGreaterThan(0);
      expect(Buffer.compare(kept, Buffer.from(blob.subarray(0, kept.byteLength)))).toBe(0);
      expect(readdirSync(repo).sort()).toEqual(['blobs']);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
