import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { memoryOPFS } from '../testing/memory-opfs';
import { createBrowserFileIO } from './browser-file-io';

describe('createBrowserFileIO', () => {
  it('uses OPFS when it can', async () => {
    const root = memoryOPFS();
    const files = createBrowserFileIO({ opfs: { root: async () => root }, indexedDB: { indexedDB: new IDBFactory(), keyRange: IDBKeyRange } });
    await files.writeFileAtomic('a.txt', 'x');
    expect(await files.storage()).toBe('opfs');
    expect(root.entries.has('tunekit')).toBe(true);
  });

  it('falls back to IndexedDB where OPFS cannot be written (as in Node here)', async () => {
    const files = createBrowserFileIO({ indexedDB: { indexedDB: new IDBFactory(), keyRange: IDBKeyRange } });
    await files.writeFileAtomic('a.txt', 'x');
    expect(await files.storage()).toBe('indexeddb');
    expect(new TextDecoder().decode(await files.readFile('a.txt'))).toBe('x');
  });

  it('says why when no storage works', async () => {
    await expect(createBrowserFileIO().storage()).rejects.toThrow(/No browser storage is available \(opfs: no writable OPFS.*; indexeddb: IndexedDB is not available/);
  });
});
