/**
 * A `FileIO` on the Origin Private File System (`navigator.storage.getDirectory()`):
 * real files, fast, large quotas, private to the origin.
 *
 * Atomic writes, in two steps:
 *  1. The bytes go to a temporary sibling (`.name.tmp-<uuid>`) through
 *     `createWritable()`. Browsers stage those writes in a swap file and apply
 *     them on `close()`; `abort()` or a crash discards them.
 *  2. `move(name)` renames the finished temporary over the target, a rename
 *     within one directory. Checked in headless Chromium 150: the old content
 *     is replaced in one step and no second entry remains.
 * Where `move()` is missing or refuses, the finished bytes are copied over the
 * target through the target's own `createWritable()`, whose swap file still
 * keeps the old content whole until `close()`.
 */
import { InvalidArgumentError, UnsupportedError } from '@tunekit/core';
import type { FileIO } from '@tunekit/core';
import { FileNotFoundError } from '../errors';
import { renameByCopy } from './rename-by-copy';
import { pathSegments, temporaryName, toBytes } from './storage-path';

/** A file's contents as OPFS returns them (`File`). */
export interface OPFSFileLike {
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
  stream(): ReadableStream<Uint8Array>;
}

/** A write stream on a file (`FileSystemWritableFileStream`). */
export interface OPFSWritableLike {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

/** A file handle (`FileSystemFileHandle`); `createWritable` and `move` are missing in some browsers. */
export interface OPFSFileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<OPFSFileLike>;
  createWritable?(options?: { keepExistingData?: boolean }): Promise<OPFSWritableLike>;
  move?(newName: string): Promise<void>;
}

/** A directory handle (`FileSystemDirectoryHandle`). */
export interface OPFSDirectoryHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OPFSDirectoryHandleLike>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OPFSFileHandleLike>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterable<string>;
}

/** Options of {@link createOPFSFileIO}. */
export interface OPFSFileIOOptions {
  /** Where the tree lives inside the origin's OPFS (default `'tunekit'`; `''` for the OPFS root). */
  directory?: string;
  /** The OPFS root (default `navigator.storage.getDirectory()`). */
  root?: () => Promise<OPFSDirectoryHandleLike>;
}

const TEMPORARY = /^\..+\.tmp-/;

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotFoundError' || name === 'TypeMismatchError';
}

/** Whether this browser can write OPFS files from the current thread. */
export function canWriteOPFS(): boolean {
  const scope = globalThis as { navigator?: { storage?: { getDirectory?: unknown } }; FileSystemFileHandle?: { prototype: object } };
  return typeof scope.navigator?.storage?.getDirectory === 'function' && 'createWritable' in (scope.FileSystemFileHandle?.prototype ?? {});
}

async function defaultRoot(): Promise<OPFSDirectoryHandleLike> {
  // TypeScript's DOM library omits the handles' async iterators; ours lists them.
  const storage = (globalThis as unknown as { navigator?: { storage?: { getDirectory?: () => Promise<OPFSDirectoryHandleLike> } } }).navigator?.storage;
  if (!storage?.getDirectory) throw new UnsupportedError('OPFS is not available here (navigator.storage.getDirectory is missing)', { fix: 'Use createIndexedDBFileIO(), or open the page over https or localhost in a browser with OPFS.' });
  return storage.getDirectory();
}

async function walk(from: OPFSDirectoryHandleLike, segments: readonly string[], create: boolean): Promise<OPFSDirectoryHandleLike> {
  let directory = from;
  for (const segment of segments) directory = await directory.getDirectoryHandle(segment, { create });
  return directory;
}

async function writeAll(handle: OPFSFileHandleLike, chunks: Iterable<Uint8Array>): Promise<void> {
  if (!handle.createWritable) throw new UnsupportedError('This browser cannot write OPFS files here (no createWritable);', { fix: 'use createIndexedDBFileIO()' });
  const writable = await handle.createWritable({ keepExistingData: false });
  try {
    for (const chunk of chunks) await writable.write(chunk);
    await writable.close();
  } catch (error) {
    await writable.abort(error).catch(() => undefined);
    throw error;
  }
}

/** Step 2 of the write: put the finished temporary in the target's place. */
async function swapIn(parent: OPFSDirectoryHandleLike, temporary: OPFSFileHandleLike, temporaryEntry: string, name: string): Promise<void> {
  if (temporary.move) {
    try {
      await temporary.move(name);
      return;
    } catch {
      // Fall through to the copy; the target has not been touched.
    }
  }
  const bytes = new Uint8Array(await (await temporary.getFile()).arrayBuffer());
  await writeAll(await parent.getFileHandle(name, { create: true }), [bytes]);
  await parent.removeEntry(temporaryEntry).catch(() => undefined);
}

/** Creates a `FileIO` on the origin's OPFS. Nothing is opened until the first call. */
export function createOPFSFileIO(options: OPFSFileIOOptions = {}): FileIO {
  const base = pathSegments(options.directory ?? 'tunekit');
  let root: Promise<OPFSDirectoryHandleLike> | undefined;
  const top = () => {
    root ??= (options.root ?? defaultRoot)().then((handle) => walk(handle, base, true));
    return root;
  };
  const directoryOf = async (segments: readonly string[], create: boolean) => walk(await top(), segments, create);

  const fileHandle = async (file: string): Promise<OPFSFileHandleLike> => {
    const segments = pathSegments(file);
    if (segments.length === 0) throw new FileNotFoundError(file, { fix: 'Check the path (it is relative to this storage, not to the page URL); listDirectory() shows what is there.' });
    try {
      return await (await directoryOf(segments.slice(0, -1), false)).getFileHandle(segments.at(-1)!);
    } catch (error) {
      throw isMissing(error) ? new FileNotFoundError(file, { fix: 'Check the path (it is relative to this storage, not to the page URL); listDirectory() shows what is there.' }) : error;
    }
  };

  const writeChunksAtomic = async (file: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    const segments = pathSegments(file);
    if (segments.length === 0) throw new InvalidArgumentError('Cannot write a file at the storage root', { fix: 'Give a file name such as "checkpoints/model.safetensors", not the root.' });
    const name = segments.at(-1)!;
    const parent = await directoryOf(segments.slice(0, -1), true);
    // move() over a directory is not specified the same way everywhere: refuse it ourselves.
    const isDirectory = await parent.getDirectoryHandle(name).then(() => true, (error: unknown) => (isMissing(error) ? false : Promise.reject(error)));
    if (isDirectory) throw new InvalidArgumentError(`Cannot write ${file}: it is a directory`, { fix: 'Write to another path, or remove that directory first.' });
    const temporaryEntry = temporaryName(name);
    const temporary = await parent.getFileHandle(temporaryEntry, { create: true });
    try {
      await writeAll(temporary, chunks);
      await swapIn(parent, temporary, temporaryEntry, name);
    } catch (error) {
      await parent.removeEntry(temporaryEntry).catch(() => undefined);
      throw error;
    }
  };

  const files: FileIO = {
    async readFile(file) {
      const contents = await (await fileHandle(file)).getFile();
      return new Uint8Array(await contents.arrayBuffer());
    },
    rename(from, to) {
      return renameByCopy(files, from, to);
    },
    writeFileAtomic(file, data) {
      return writeChunksAtomic(file, [toBytes(data)]);
    },
    writeChunksAtomic,
    async exists(file) {
      const segments = pathSegments(file);
      if (segments.length === 0) return true;
      try {
        const parent = await directoryOf(segments.slice(0, -1), false);
        for await (const name of parent.keys()) if (name === segments.at(-1)) return true;
        return false;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async makeDirectory(directory) {
      try {
        await directoryOf(pathSegments(directory), true);
      } catch (error) {
        if ((error as { name?: string }).name === 'TypeMismatchError') throw new InvalidArgumentError(`Cannot create directory ${directory}: a file is in the way`, { fix: 'Choose another directory name, or remove that file first.' });
        throw error;
      }
    },
    async listDirectory(directory) {
      let handle: OPFSDirectoryHandleLike;
      try {
        handle = await directoryOf(pathSegments(directory), false);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      const names: string[] = [];
      // Temporaries of writes in flight are an implementation detail: hide them.
      for await (const name of handle.keys()) if (!TEMPORARY.test(name)) names.push(name);
      return names.sort();
    },
    async remove(file) {
      const segments = pathSegments(file);
      try {
        const parent = await directoryOf(segments.slice(0, -1), false);
        if (segments.length === 0) {
          const names: string[] = [];
          for await (const name of parent.keys()) names.push(name);
          for (const name of names) await parent.removeEntry(name, { recursive: true });
          return;
        }
        await parent.removeEntry(segments.at(-1)!, { recursive: true });
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
    async openRead(file) {
      const contents = await (await fileHandle(file)).getFile();
      async function* read(): AsyncGenerator<Uint8Array> {
        const reader = contents.stream().getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          reader.releaseLock();
        }
      }
      return { size: contents.size, chunks: read() };
    },
  };
  return files;
}
