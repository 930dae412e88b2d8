/**
 * A {@link FileIO} whose implementation is loaded on first use. Backends use
 * it to offer Node's file system without importing it: a browser bundle then
 * keeps that code in a chunk it never loads, and core can hand out a default
 * (the default backend's files) without loading the default backend first.
 */
import type { FileIO, OptionalFileIOMember } from './backend-spec';

/** Options of {@link lazyFileIO}. */
export interface LazyFileIOOptions {
  /**
   * The error to reject with when the loaded `FileIO` lacks an optional
   * member that has no fallback (`fileSize`, `appendChunks`, `sha256`,
   * `symlink`, `resolvePath`). Callers pass one that builds the typed
   * `UnsupportedError` of `@tunekit/formats` (this package depends on none).
   */
  unsupported?: (member: OptionalFileIOMember) => Error;
}

/** The default error for a member the loaded FileIO lacks. */
function missingMember(member: OptionalFileIOMember): Error {
  // plain Error: backend-spec depends on no package, so it cannot extend TunekitError; core and the backends pass `unsupported`.
  return new Error(`This file access has no ${member}(): pass a FileIO that implements it (nodeFileIO() of @tunekit/backend-cpu/node does).`);
}

/**
 * Wraps `load` (called once, on the first file operation; retried after a
 * failure) as a `FileIO`. Every optional member is present: the streaming
 * ones fall back to whole-file reads and writes when the loaded `FileIO`
 * lacks them; the others reject with `options.unsupported(member)`.
 */
export function lazyFileIO(load: () => Promise<FileIO>, options: LazyFileIOOptions = {}): FileIO {
  const unsupported = options.unsupported ?? missingMember;
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
    fileSize: async (path) => member(await files(), 'fileSize')(path),
    appendChunks: async (path, chunks) => member(await files(), 'appendChunks')(path, chunks),
    sha256: async (path) => member(await files(), 'sha256')(path),
    symlink: async (target, link) => member(await files(), 'symlink')(target, link),
    resolvePath: async (path) => member(await files(), 'resolvePath')(path),
  };

  /** `io[name]` bound to `io`, or the `unsupported` error when `io` lacks it. */
  function member<K extends 'fileSize' | 'appendChunks' | 'sha256' | 'symlink' | 'resolvePath'>(io: FileIO, name: K): NonNullable<FileIO[K]> {
    const method = io[name];
    if (!method) throw unsupported(name);
    return method.bind(io) as NonNullable<FileIO[K]>;
  }
}
