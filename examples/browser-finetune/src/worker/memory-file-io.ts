/**
 * A `FileIO` (core's file interface) that keeps files in a Map. `saveAdapter`
 * writes through a `FileIO`; giving it this one yields the adapter's bytes
 * without touching OPFS or IndexedDB, ready to become download Blobs.
 */
import { type FileIO, FileNotFoundError } from '@tunekit/core';

/** A FileIO in memory, plus direct access to what was written. */
export interface MemoryFileIO extends FileIO {
  /** Every file written, by path. */
  readonly written: ReadonlyMap<string, Uint8Array>;
}

const normalise = (path: string) => path.replace(/\/+$/, '');

export function createMemoryFileIO(): MemoryFileIO {
  const files = new Map<string, Uint8Array>();
  const directories = new Set<string>(['']);
  const under = (directory: string) => {
    const prefix = `${normalise(directory)}/`;
    return [...files.keys(), ...directories].filter((p) => p.startsWith(prefix));
  };
  return {
    written: files,
    async readFile(path) {
      const data = files.get(normalise(path));
      if (!data) throw new FileNotFoundError(path);
      return data;
    },
    async writeFileAtomic(path, data) {
      // One Map.set is atomic by nature: readers see the old bytes or the new ones.
      files.set(normalise(path), typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
    },
    async exists(path) {
      const key = normalise(path);
      return files.has(key) || directories.has(key);
    },
    async makeDirectory(path) {
      const parts = normalise(path).split('/');
      for (let i = 1; i <= parts.length; i++) directories.add(parts.slice(0, i).join('/'));
    },
    async listDirectory(path) {
      const prefix = `${normalise(path)}/`;
      return [...new Set(under(path).map((p) => p.slice(prefix.length).split('/')[0]!))];
    },
    async rename(from, to) {
      // Only files: saveAdapter, the one user here, never renames a directory.
      const data = files.get(normalise(from));
      if (!data) throw new FileNotFoundError(from);
      files.set(normalise(to), data);
      files.delete(normalise(from));
    },
    async remove(path) {
      const key = normalise(path);
      for (const p of under(key)) {
        files.delete(p);
        directories.delete(p);
      }
      files.delete(key);
      directories.delete(key);
    },
  };
}
