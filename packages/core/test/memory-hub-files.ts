// An in-memory FileIO with the optional members the Hub cache uses, as a
// browser storage or another backend could offer them: no disk is touched.
// Symbolic links are kept as (link → relative target) and resolved on read.
import { createHash } from 'node:crypto';
import { FileNotFoundError, type FileIO, InvalidStateError } from '@tunekit/core';

/** What the test can look at besides the FileIO itself. */
export interface MemoryHubFiles extends FileIO {
  /** File contents by path (links resolved), and link targets by link path. */
  store: Map<string, Uint8Array>;
  links: Map<string, string>;
  /** Every path, sorted. */
  paths(): string[];
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** `relative` (with `..`) taken from `folder`, as a file system resolves a relative link. */
function resolveFrom(folder: string, relative: string): string {
  const parts = folder.split('/');
  for (const part of relative.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** A relative path from `folder` to `target` (both absolute, `/`-separated). */
function relativePath(folder: string, target: string): string {
  const from = folder.split('/');
  const to = target.split('/');
  let common = 0;
  while (common < from.length && from[common] === to[common]) common++;
  return [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/');
}

/** The in-memory FileIO; `withSymlinks: false` leaves `symlink` out (the copy fallback). */
export function memoryHubFiles(options: { withSymlinks?: boolean } = {}): MemoryHubFiles {
  const store = new Map<string, Uint8Array>();
  const links = new Map<string, string>();
  const target = (path: string) => (links.has(path) ? resolveFrom(folderOf(path), links.get(path)!) : path);
  const read = (path: string) => store.get(target(path));
  const under = (dir: string) => [...store.keys(), ...links.keys()].filter((p) => p.startsWith(`${dir}/`));
  const files: MemoryHubFiles = {
    store,
    links,
    paths: () => [...store.keys(), ...links.keys()].sort(),
    async readFile(path) {
      const bytes = read(path);
      if (!bytes) throw new FileNotFoundError(path);
      return bytes.slice();
    },
    async writeFileAtomic(path, data) {
      links.delete(path);
      store.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
    },
    exists: async (path) => read(path) !== undefined || under(path).length > 0,
    makeDirectory: async () => undefined,
    listDirectory: async (dir) => [...new Set(under(dir).map((p) => p.slice(dir.length + 1).split('/')[0]!))],
    async rename(from, to) {
      const bytes = store.get(from);
      if (!bytes) throw new FileNotFoundError(from);
      store.set(to, bytes);
      store.delete(from);
    },
    async remove(path) {
      for (const p of [path, ...under(path)]) {
        store.delete(p);
        links.delete(p);
      }
    },
    async openRead(path) {
      const bytes = read(path);
      if (!bytes) throw new FileNotFoundError(path);
      // Two chunks, so consumers must stream.
      const half = bytes.byteLength >> 1;
      return { size: bytes.byteLength, chunks: (async function* () { yield bytes.slice(0, half); yield bytes.slice(half); })() };
    },
    fileSize: async (path) => read(path)?.byteLength,
    async appendChunks(path, chunks) {
      for await (const chunk of chunks) {
        const before = store.get(path) ?? new Uint8Array(0);
        const after = new Uint8Array(before.byteLength + chunk.byteLength);
        after.set(before);
        after.set(chunk, before.byteLength);
        store.set(path, after);
      }
    },
    async sha256(path) {
      const bytes = read(path);
      if (!bytes) throw new FileNotFoundError(path);
      return createHash('sha256').update(bytes).digest('hex');
    },
  };
  if (options.withSymlinks !== false) {
    files.symlink = async (existing, link) => {
      if (store.has(link) || links.has(link)) throw new InvalidStateError(`${link} exists`);
      links.set(link, relativePath(folderOf(link), existing));
    };
  }
  return files;
}
