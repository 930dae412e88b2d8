import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { describeFileIOContract } from '../testing/file-io-contract';
import { createIndexedDBFileIO } from './indexeddb-file-io';

// A fresh in-memory IndexedDB per test (fake-indexeddb implements the spec in Node).
describeFileIOContract('IndexedDB', () => createIndexedDBFileIO({ indexedDB: new IDBFactory(), keyRange: IDBKeyRange }));

it('IndexedDB: a replaced file leaves no orphaned pieces behind', async () => {
  const factory = new IDBFactory();
  const files = createIndexedDBFileIO({ indexedDB: factory, keyRange: IDBKeyRange, databaseName: 'pieces' });
  await files.writeFileAtomic('w.bin', new Uint8Array(10));
  await files.writeFileAtomic('w.bin', new Uint8Array(20));
  await files.writeFileAtomic('other.bin', new Uint8Array(5));
  await files.remove('other.bin');
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open('pieces');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const keys = await new Promise<IDBValidKey[]>((resolve) => {
    const request = db.transaction('chunks').objectStore('chunks').getAllKeys();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  expect(keys).toHaveLength(1); // only the current w.bin piece
});

it('IndexedDB: without an indexedDB global, says so', async () => {
  await expect(createIndexedDBFileIO().readFile('x')).rejects.toThrow('IndexedDB is not available in this environment');
});
