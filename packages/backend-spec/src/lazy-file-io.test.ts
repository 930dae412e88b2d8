// lazyFileIO loads its FileIO on the first operation only, retries after a
// failed load, and supplies the optional streaming methods when the loaded
// FileIO lacks them.
import { describe, expect, it } from 'vitest';
import type { FileIO } from './backend-spec';
import { lazyFileIO } from './lazy-file-io';

/** A whole-file-only FileIO over a Map (no openRead, no writeChunksAtomic). */
function mapFiles(): FileIO & { store: Map<string, Uint8Array> } {
  const store = new Map<string, Uint8Array>();
  return {
    store,
    readFile: async (path) => store.get(path) ?? Promise.reject(new Error(`missing ${path}`)),
    writeFileAtomic: async (path, data) => void store.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data),
    exists: async (path) => store.has(path),
    makeDirectory: async () => undefined,
    listDirectory: async () => [...store.keys()],
    rename: async (from, to) => {
      store.set(to, store.get(from)!);
      store.delete(from);
    },
    remove: async (path) => void store.delete(path),
  };
}

describe('lazyFileIO', () => {
  it('loads once, on the first operation, and forwards every call', async () => {
    const inner = mapFiles();
    let loads = 0;
    const files = lazyFileIO(async () => (loads++, inner));
    expect(loads).toBe(0);
    await files.writeFileAtomic('a', 'hello');
    await files.rename('a', 'b');
    expect(await files.exists('b')).toBe(true);
    expect(new TextDecoder().decode(await files.readFile('b'))).toBe('hello');
    expect(loads).toBe(1);
  });

  it('supplies openRead and writeChunksAtomic over whole-file reads and writes', async () => {
    const inner = mapFiles();
    const files = lazyFileIO(async () => inner);
    await files.writeChunksAtomic!('c', [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(Array.from(inner.store.get('c')!)).toEqual([1, 2, 3]);
    const { size, chunks } = await files.openRead!('c');
    const read: number[] = [];
    for await (const chunk of chunks) read.push(...chunk);
    expect({ size, read }).toEqual({ size: 3, read: [1, 2, 3] });
  });

  it('a failed load fails the operation and is tried again on the next one', async () => {
    let attempts = 0;
    const files = lazyFileIO(async () => {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return mapFiles();
    });
    await expect(files.exists('x')).rejects.toThrow('not yet');
    expect(await files.exists('x')).toBe(false);
    expect(attempts).toBe(2);
  });

  it('forwards the cache members, and rejects with the given error when the loaded FileIO lacks one', async () => {
    const inner = mapFiles();
    const sizes: string[] = [];
    const withSize = lazyFileIO(async () => ({ ...inner, fileSize: async (path: string) => (sizes.push(path), inner.store.get(path)?.byteLength) }));
    await withSize.writeFileAtomic('d', 'four');
    expect(await withSize.fileSize!('d')).toBe(4);
    expect(sizes).toEqual(['d']);
    class Missing extends Error {}
    const without = lazyFileIO(async () => inner, { unsupported: (member) => new Missing(`no ${member}`) });
    for (const call of [() => without.fileSize!('d'), () => without.sha256!('d'), () => without.symlink!('d', 'e'), () => without.resolvePath!('~')]) {
      await expect(call()).rejects.toBeInstanceOf(Missing);
    }
    await expect(without.appendChunks!('d', (async function* () {})())).rejects.toThrow('no appendChunks');
  });
});
