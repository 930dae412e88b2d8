/**
 * The browser's `FileIO`: OPFS where this browser can write it, IndexedDB
 * otherwise. The choice is made on first use (probing OPFS is asynchronous and
 * can fail at run time, e.g. in some private-browsing modes).
 */
import { InvalidArgumentError, UnsupportedError } from '@tunekit/core';
import type { FileIO } from '@tunekit/core';
import { createIndexedDBFileIO, type IndexedDBFileIOOptions } from './indexeddb-file-io';
import { canWriteOPFS, createOPFSFileIO, type OPFSFileIOOptions } from './opfs-file-io';

/** A kind of browser storage. */
export type BrowserStorageKind = 'opfs' | 'indexeddb';

/** Options of {@link createBrowserFileIO}. */
export interface BrowserFileIOOptions {
  /** Storages to try, in order (default `['opfs', 'indexeddb']`). */
  prefer?: readonly BrowserStorageKind[];
  /** Options for the OPFS storage. */
  opfs?: OPFSFileIOOptions;
  /** Options for the IndexedDB storage. */
  indexedDB?: IndexedDBFileIOOptions;
}

/** A browser `FileIO` that also says which storage it settled on. */
export interface BrowserFileIO extends FileIO {
  /** The storage in use (resolves after the first probe). */
  storage(): Promise<BrowserStorageKind>;
  openRead(path: string): Promise<{ size: number; chunks: AsyncIterable<Uint8Array> }>;
  writeChunksAtomic(path: string, chunks: Iterable<Uint8Array>): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

type Chosen = { kind: BrowserStorageKind; files: Required<Pick<FileIO, 'openRead' | 'writeChunksAtomic' | 'rename'>> & FileIO };

async function tryStorage(kind: BrowserStorageKind, options: BrowserFileIOOptions): Promise<Chosen> {
  if (kind === 'opfs') {
    if (!options.opfs?.root && !canWriteOPFS()) throw new UnsupportedError('no writable OPFS (navigator.storage.getDirectory or createWritable missing)', { fix: "Pass opfs: { root } (a FileSystemDirectoryHandle), or use prefer: ['indexeddb']." });
    const files = createOPFSFileIO(options.opfs) as Chosen['files'];
    await files.listDirectory(''); // opens the root: rejects where OPFS is disabled
    return { kind, files };
  }
  if (kind === 'indexeddb') {
    const files = createIndexedDBFileIO(options.indexedDB) as Chosen['files'];
    await files.listDirectory(''); // opens the database
    return { kind, files };
  }
  throw new InvalidArgumentError(`unknown storage "${String(kind)}" (opfs, indexeddb)`, { fix: "Use 'opfs' or 'indexeddb' in prefer." });
}

/** Creates the browser `FileIO` (OPFS, else IndexedDB). Nothing is opened until the first call. */
export function createBrowserFileIO(options: BrowserFileIOOptions = {}): BrowserFileIO {
  let chosen: Promise<Chosen> | undefined;
  const pick = (): Promise<Chosen> => {
    chosen ??= (async () => {
      const reasons: string[] = [];
      for (const kind of options.prefer ?? ['opfs', 'indexeddb']) {
        try {
          return await tryStorage(kind, options);
        } catch (error) {
          reasons.push(`${kind}: ${(error as Error).message}`);
        }
      }
      throw new UnsupportedError(`No browser storage is available (${reasons.join('; ')})`, { fix: 'Open the page over https or localhost (storage needs a secure context) and outside private browsing, or pass files to the backend.' });
    })().catch((error: unknown) => {
      chosen = undefined;
      throw error;
    });
    return chosen;
  };
  const files = async () => (await pick()).files;

  return {
    async storage() {
      return (await pick()).kind;
    },
    readFile: async (path) => (await files()).readFile(path),
    writeFileAtomic: async (path, data) => (await files()).writeFileAtomic(path, data),
    writeChunksAtomic: async (path, chunks) => (await files()).writeChunksAtomic(path, chunks),
    exists: async (path) => (await files()).exists(path),
    makeDirectory: async (path) => (await files()).makeDirectory(path),
    listDirectory: async (path) => (await files()).listDirectory(path),
    remove: async (path) => (await files()).remove(path),
    rename: async (from, to) => (await files()).rename(from, to),
    openRead: async (path) => (await files()).openRead(path),
  };
}
