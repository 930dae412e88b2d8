// A full disk never truncates a file silently: every write completes or fails
// with an error naming the path, and the previous file survives. Checked on a
// real 2 MiB tmpfs where this machine lets us mount one, and always through an
// injected file handle whose writes come back short, as Node's do on a full disk.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileIO, type WritableFile } from '@tunekit/backend-cpu/node';
import { createModel, FileWriteError, saveModel } from '@tunekit/core';
import { useTmpfs } from './tmpfs';

const directory = mkdtempSync(join(tmpdir(), 'tunekit-full-disk-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 251);

/** A real file handle that writes at most `perCall` bytes per call, and nothing at all once `capacity` bytes are in. */
function shortWrites(perCall: number, capacity = Infinity): (path: string) => Promise<WritableFile> {
  return async (path) => {
    const handle = await open(path, 'w');
    let total = 0;
    return {
      async write(buffer, offset, length) {
        const n = Math.max(0, Math.min(length, perCall, capacity - total));
        total += n;
        return n === 0 ? { bytesWritten: 0 } : handle.write(buffer, offset, n);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  };
}

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
});
