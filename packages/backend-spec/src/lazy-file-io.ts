/**
 * A {@link FileIO} whose implementation is loaded on first use. Backends use
 * it to offer Node's file system without importing it: a browser bundle then
 * keeps that code in a chunk it never loads, and core can hand out a default
 * (the default backend's files) without loading the default backend first.
 */
import type { FileIO } from './backend-spec';

/**
 * Wraps `load` (called once, on the first file operation; retried after a
 * failure) as a `FileIO`. The optional streaming methods are always present:
 * when the loaded `FileIO` lacks them they fall back to whole-file reads and
 * writes.
 */
export function lazyFileIO(load: () => Promise<FileIO>): FileIO {
  let loading: Promise<FileIO> | undefined;
  const files = (): Promise<FileIO> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    readFile: async (path) => (await files()).readFile(path),
    writeFileAtomic: async (path, data) => (await files()).writeFileAtomic(path, data),
    exists: async (path) => (await files()).exists(path),
    makeDirectory: async (path) => (await files()).makeDirectory(path),
    listDirectory: async (path) => (await files()).listDirectory(path),
    rename: async (from, to) => (await files()).rename(from, to),
    remove: async (path) => (await files()).remove(path),
    async openRead(path) {
      const io = await files();
      if (io.openRead) return io.openRead(path);
      const bytes = await io.readFile(path);
      return { size: bytes.byteLength, chunks: (async function* () { yield bytes; })() };
    },
    async writeChunksAtomic(path, chunks) {
      const io = await files();
      if (io.writeChunksAtomic) return io.writeChunksAtomic(path, chunks);
      const parts = [...chunks];
      const whole = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
      let offset = 0;
      for (const part of parts) {
        whole.set(part, offset);
        offset += part.byteLength;
      }
      return io.writeFileAtomic(path, whole);
    },
  };
}
