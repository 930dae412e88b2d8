/**
 * A `FileIO` on IndexedDB, for browsers without a writable OPFS (older Safari,
 * some private modes) and for anything else with an `indexedDB` global.
 *
 * Layout: store `entries` maps a path to `{ kind: 'directory' }` or to
 * `{ kind: 'file', blob, chunks, size }`; store `chunks` holds a file's bytes
 * under keys `[blob, 0]`, `[blob, 1]`, … in pieces of at most 8 MiB.
 *
 * Atomic writes: the new bytes go in under a fresh `blob` id first (the
 * temporary entry, one transaction per piece, invisible because no entry
 * points at it). Then a single readwrite transaction swaps the path's entry to
 * the new blob and deletes the old blob's pieces. IndexedDB commits a
 * transaction entirely or not at all, so readers see the old file or the new
 * one, never a mix. A crash before the swap leaves only unreferenced pieces.
 *
 * Renames are atomic too, trees included: file bytes are keyed by blob id,
 * not by path, so a rename rewrites only entries, in one transaction.
 */
import { InvalidArgumentError, InvalidStateError, TunekitError, UnsupportedError } from '@tunekit/core';
import type { FileIO } from '@tunekit/core';
import { FileNotFoundError } from '../errors';
import { ancestorsOf, normalizePath, temporaryName, toBytes } from './storage-path';

/** Options of {@link createIndexedDBFileIO}. */
export interface IndexedDBFileIOOptions {
  /** Database name (default `'tunekit-files'`); one database is one file tree. */
  databaseName?: string;
  /** The IndexedDB factory (default the global `indexedDB`). */
  indexedDB?: IDBFactory;
  /** The key-range constructor matching that factory (default the global `IDBKeyRange`). */
  keyRange?: typeof IDBKeyRange;
}

type Entry = { path: string; kind: 'directory' } | { path: string; kind: 'file'; blob: string; chunks: number; size: number };

const ENTRIES = 'entries';
const CHUNKS = 'chunks';
/** Pieces small enough for one quick transaction each, large enough to keep their count low. */
const PIECE_BYTES = 8 << 20;
/** The fix when IndexedDB itself fails: the browser refused or ran out of quota. */
const BLOCKED = 'Check that the page may use IndexedDB (not blocked by private browsing or site settings) and that storage quota is left.';
/** The fix for a missing path. */
const MISSING = 'Check the path (it is relative to this storage, not to the page URL); listDirectory() shows what is there.';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new TunekitError('storage_failed', 'IndexedDB request failed', { fix: BLOCKED }));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new TunekitError('storage_failed', 'IndexedDB transaction failed', { fix: BLOCKED }));
    transaction.onabort = () => reject(transaction.error ?? new TunekitError('storage_failed', 'IndexedDB transaction aborted', { fix: BLOCKED }));
  });
}

/** Aborts `transaction` and throws `message`: no half-applied change survives an error. */
function abortWith(transaction: IDBTransaction, message: string, fix = 'Remove or rename what is in the way first, or use another path.'): never {
  transaction.abort();
  throw new InvalidArgumentError(message, { fix });
}

/**
 * Copies what must be copied: IndexedDB's structured clone stores a typed
 * array's whole underlying buffer, so a view into a larger buffer (a tensor
 * slice of a checkpoint) would store far more than its own bytes.
 */
function* pieces(chunks: Iterable<Uint8Array>): Generator<Uint8Array> {
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.byteLength; start += PIECE_BYTES) {
      const piece = chunk.subarray(start, start + PIECE_BYTES);
      const ownsBuffer = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength;
      yield ownsBuffer ? piece : piece.slice();
    }
  }
}

function concatenate(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.byteLength === size) return parts[0]!;
  const out = new Uint8Array(size);
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const request = factory.open(name, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore(ENTRIES, { keyPath: 'path' });
    request.result.createObjectStore(CHUNKS);
  };
  return done(request).then((database) => {
    // Let another tab upgrade the schema instead of blocking it forever.
    database.onversionchange = () => database.close();
    return database;
  });
}

/** Creates a `FileIO` backed by one IndexedDB database. The database opens on first use. */
export function createIndexedDBFileIO(options: IndexedDBFileIOOptions = {}): FileIO {
  const name = options.databaseName ?? 'tunekit-files';
  let database: Promise<IDBDatabase> | undefined;

  const open = (): Promise<IDBDatabase> => {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) return Promise.reject(new UnsupportedError('IndexedDB is not available in this environment', { fix: 'Pass indexedDB (and keyRange) explicitly, e.g. from fake-indexeddb outside a browser, or use createOPFSFileIO().' }));
    database ??= openDatabase(factory, name).catch((error: unknown) => {
      database = undefined;
      throw error;
    });
    return database;
  };
  const keyRange = (): typeof IDBKeyRange => {
    const range = options.keyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
    if (!range) throw new UnsupportedError('IDBKeyRange is not available; pass keyRange with indexedDB', { fix: 'Pass keyRange (IDBKeyRange) together with indexedDB, e.g. both from fake-indexeddb.' });
    return range;
  };
  const blobRange = (blob: string) => keyRange().bound([blob, 0], [blob, Infinity]);
  const descendants = (path: string) => keyRange().bound(`${path}/`, `${path}/\uffff`);

  const getEntry = async (path: string): Promise<Entry | undefined> => {
    const db = await open();
    return done(db.transaction(ENTRIES, 'readonly').objectStore(ENTRIES).get(path)) as Promise<Entry | undefined>;
  };

  /** The swap: one transaction points `path` at the new blob and drops the old one. */
  const swapIn = async (db: IDBDatabase, entry: Entry & { kind: 'file' }): Promise<void> => {
    const transaction = db.transaction([ENTRIES, CHUNKS], 'readwrite');
    const finished = committed(transaction);
    finished.catch(() => undefined); // awaited below; aborts are reported by the throw
    const entries = transaction.objectStore(ENTRIES);
    for (const directory of ancestorsOf(entry.path)) {
      const existing = (await done(entries.get(directory))) as Entry | undefined;
      if (existing?.kind === 'file') abortWith(transaction, `Cannot write ${entry.path}: ${directory} is a file`);
      if (!existing) entries.put({ path: directory, kind: 'directory' });
    }
    const old = (await done(entries.get(entry.path))) as Entry | undefined;
    if (old?.kind === 'directory') abortWith(transaction, `Cannot write ${entry.path}: it is a directory`);
    entries.put(entry);
    if (old?.kind === 'file') transaction.objectStore(CHUNKS).delete(blobRange(old.blob));
    await finished;
  };

  const deleteBlob = async (db: IDBDatabase, blob: string): Promise<void> => {
    const transaction = db.transaction(CHUNKS, 'readwrite');
    transaction.objectStore(CHUNKS).delete(blobRange(blob));
    await committed(transaction);
  };

  const writeChunksAtomic = async (file: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    const path = normalizePath(file);
    if (path === '') throw new InvalidArgumentError('Cannot write a file at the storage root', { fix: 'Give a file name such as "checkpoints/model.safetensors", not the root.' });
    const db = await open();
    const blob = temporaryName(path);
    let count = 0;
    let size = 0;
    try {
      for (const piece of pieces(chunks)) {
        const transaction = db.transaction(CHUNKS, 'readwrite');
        transaction.objectStore(CHUNKS).put(piece, [blob, count]);
        await committed(transaction);
        count += 1;
        size += piece.byteLength;
      }
      await swapIn(db, { path, kind: 'file', blob, chunks: count, size });
    } catch (error) {
      await deleteBlob(db, blob).catch(() => undefined);
      throw error;
    }
  };

  return {
    async readFile(file) {
      const path = normalizePath(file);
      const db = await open();
      const transaction = db.transaction([ENTRIES, CHUNKS], 'readonly');
      const entry = (await done(transaction.objectStore(ENTRIES).get(path))) as Entry | undefined;
      if (entry?.kind !== 'file') throw new FileNotFoundError(file, { fix: MISSING });
      const parts = (await done(transaction.objectStore(CHUNKS).getAll(blobRange(entry.blob)))) as Uint8Array[];
      return concatenate(parts, entry.size);
    },
    writeFileAtomic(file, data) {
      return writeChunksAtomic(file, [toBytes(data)]);
    },
    writeChunksAtomic,
    async exists(file) {
      const path = normalizePath(file);
      return path === '' || (await getEntry(path)) !== undefined;
    },
    async makeDirectory(directory) {
      const path = normalizePath(directory);
      if (path === '') return;
      const db = await open();
      const transaction = db.transaction(ENTRIES, 'readwrite');
      const finished = committed(transaction);
      finished.catch(() => undefined);
      const entries = transaction.objectStore(ENTRIES);
      for (const each of [...ancestorsOf(path), path]) {
        const existing = (await done(entries.get(each))) as Entry | undefined;
        if (existing?.kind === 'file') abortWith(transaction, `Cannot create directory ${path}: ${each} is a file`);
        if (!existing) entries.put({ path: each, kind: 'directory' });
      }
      await finished;
    },
    async listDirectory(directory) {
      const path = normalizePath(directory);
      const db = await open();
      const transaction = db.transaction(ENTRIES, 'readonly');
      const entries = transaction.objectStore(ENTRIES);
      if (path !== '') {
        const entry = (await done(entries.get(path))) as Entry | undefined;
        if (entry?.kind !== 'directory') return [];
      }
      const keys = (await done(path === '' ? entries.getAllKeys() : entries.getAllKeys(descendants(path)))) as string[];
      const prefix = path === '' ? 0 : path.length + 1;
      return keys.map((key) => key.slice(prefix)).filter((name) => name.length > 0 && !name.includes('/'));
    },
    async rename(fromPath, toPath) {
      const from = normalizePath(fromPath);
      const to = normalizePath(toPath);
      if (from === '' || to === '') throw new InvalidArgumentError('Cannot rename the storage root', { fix: 'Rename a file or a folder inside the storage, not its root.' });
      if (to === from) return;
      if (to.startsWith(`${from}/`)) throw new InvalidArgumentError(`Cannot rename ${fromPath} into itself (${toPath})`, { fix: 'Rename it to a path outside the folder itself.' });
      const db = await open();
      const transaction = db.transaction([ENTRIES, CHUNKS], 'readwrite');
      const finished = committed(transaction);
      finished.catch(() => undefined);
      const entries = transaction.objectStore(ENTRIES);
      const source = (await done(entries.get(from))) as Entry | undefined;
      if (!source) {
        transaction.abort();
        throw new FileNotFoundError(fromPath, { fix: MISSING });
      }
      const target = (await done(entries.get(to))) as Entry | undefined;
      if (source.kind === 'file' && target?.kind === 'directory') abortWith(transaction, `Cannot rename file ${fromPath} to ${toPath}: it is a directory`);
      if (source.kind === 'directory' && target?.kind === 'file') abortWith(transaction, `Cannot rename directory ${fromPath} to ${toPath}: it is a file`);
      if (source.kind === 'directory' && target && ((await done(entries.getAllKeys(descendants(to)))) as string[]).length > 0) {
        abortWith(transaction, `Cannot rename ${fromPath} to ${toPath}: it is a directory that is not empty`);
      }
      for (const directory of ancestorsOf(to)) {
        const existing = (await done(entries.get(directory))) as Entry | undefined;
        if (existing?.kind === 'file') abortWith(transaction, `Cannot rename to ${toPath}: ${directory} is a file`);
        if (!existing) entries.put({ path: directory, kind: 'directory' });
      }
      if (target?.kind === 'file') transaction.objectStore(CHUNKS).delete(blobRange(target.blob));
      const moving = source.kind === 'directory' ? [source, ...((await done(entries.getAll(descendants(from)))) as Entry[])] : [source];
      for (const entry of moving) {
        entries.delete(entry.path);
        entries.put({ ...entry, path: to + entry.path.slice(from.length) });
      }
      await finished;
    },
    async remove(file) {
      const path = normalizePath(file);
      const db = await open();
      const transaction = db.transaction([ENTRIES, CHUNKS], 'readwrite');
      const finished = committed(transaction);
      finished.catch(() => undefined);
      const entries = transaction.objectStore(ENTRIES);
      const chunkStore = transaction.objectStore(CHUNKS);
      if (path === '') {
        entries.clear();
        chunkStore.clear();
      } else {
        const entry = (await done(entries.get(path))) as Entry | undefined;
        const inside = entry?.kind === 'directory' ? ((await done(entries.getAll(descendants(path)))) as Entry[]) : [];
        for (const each of entry ? [entry, ...inside] : []) {
          entries.delete(each.path);
          if (each.kind === 'file') chunkStore.delete(blobRange(each.blob));
        }
      }
      await finished;
    },
    async openRead(file) {
      const entry = await getEntry(normalizePath(file));
      if (entry?.kind !== 'file') throw new FileNotFoundError(file, { fix: MISSING });
      const db = await open();
      const { blob, chunks } = entry;
      async function* read(): AsyncGenerator<Uint8Array> {
        // One short transaction per piece: a long read must not hold the database.
        for (let index = 0; index < chunks; index += 1) {
          const key = [blob, index];
          const piece = (await done(db.transaction(CHUNKS, 'readonly').objectStore(CHUNKS).get(key))) as Uint8Array | undefined;
          if (!piece) throw new InvalidStateError(`${file} was replaced or removed while being read`, { fix: 'Read the file again, and do not write or remove it while a read is under way.' });
          yield piece;
        }
      }
      return { size: entry.size, chunks: read() };
    },
  };
}
