/**
 * File I/O on Node's file system: the `files` of the CPU backend in Node, and
 * of `@tunekit/backend-node` and `@tunekit/backend-web` there. Core knows only
 * the `FileIO` spec. Node modules are imported lazily so that this file can
 * sit in a browser bundle without pulling in `node:fs`.
 */
import type { FileIO } from '@tunekit/backend-spec';
import { FileNotFoundError, TunekitError } from '@tunekit/formats';
import { nodeCacheFiles } from './node-cache-files';
import { type NodeModules, nodeModules } from './node-modules';
import { type WritableFile, writeFully } from './write-fully';

type NodeFsPromises = NodeModules['fsp'];

let temporaryCounter = 0;

/** Options of {@link nodeFileIO}. */
export interface NodeFileIOOptions {
  /**
   * Opens a file for writing (default `fs.promises.open(path, 'w')`). Tests
   * inject one whose writes come back short, as on a full disk.
   */
  openForWrite?: (path: string) => Promise<WritableFile>;
  /**
   * Opens a file for appending, creating it (default
   * `fs.promises.open(path, 'a')`); what `appendChunks` writes through.
   * Tests inject one whose writes come back short.
   */
  openForAppend?: (path: string) => Promise<WritableFile>;
}

/** Flushes a directory entry (the rename) to the device; not every platform can open a directory, so failures are ignored. */
async function syncDirectory(fsp: NodeFsPromises, directory: string): Promise<void> {
  const handle = await fsp.open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/**
 * Writes `chunks` into a temporary file next to `target`, completely and
 * flushed, then renames it over `target`. Any failure removes the temporary
 * file and leaves the old `target` as it was.
 */
async function writeAtomically(target: string, chunks: Iterable<Uint8Array>, openForWrite: (path: string) => Promise<WritableFile>): Promise<void> {
  const { fsp, path } = await nodeModules();
  const directory = path.dirname(target);
  await fsp.mkdir(directory, { recursive: true });
  const temporary = path.join(directory, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${temporaryCounter++}`);
  try {
    const file = await openForWrite(temporary);
    try {
      // The error names the target, the file the user knows about.
      await writeFully(file, chunks, target);
    } finally {
      await file.close();
    }
    // rename() within one directory is atomic on POSIX: readers see the old
    // file or the new one, never a half-written one.
    await fsp.rename(temporary, target);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(fsp, directory);
}

/** The Node file-system {@link FileIO}, with every optional member. */
export function nodeFileIO(options: NodeFileIOOptions = {}): FileIO {
  const openForWrite = options.openForWrite ?? (async (file: string) => (await nodeModules()).fsp.open(file, 'w'));
  return {
    async readFile(file) {
      const { fsp } = await nodeModules();
      try {
        return new Uint8Array(await fsp.readFile(file));
      } catch (error) {
        throw new TunekitError('read_failed', `Cannot read ${file}: ${(error as Error).message}`, { fix: 'Check that the path exists and is a readable file (not a directory), and its permissions.' });
      }
    },
    async writeFileAtomic(file, data) {
      await writeAtomically(file, [typeof data === 'string' ? new TextEncoder().encode(data) : data], openForWrite);
    },
    async writeChunksAtomic(file, chunks) {
      await writeAtomically(file, chunks, openForWrite);
    },
    async rename(from, to) {
      const { fsp, path } = await nodeModules();
      try {
        await fsp.rename(from, to);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT' && !(await fsp.access(from).then(() => true, () => false))) throw new FileNotFoundError(from, { cause: error, fix: 'Check the source path: it must exist when rename is called.' });
        throw error;
      }
      await syncDirectory(fsp, path.dirname(to));
    },
    async exists(file) {
      const { fsp } = await nodeModules();
      return fsp.access(file).then(() => true, () => false);
    },
    async makeDirectory(directory) {
      const { fsp } = await nodeModules();
      await fsp.mkdir(directory, { recursive: true });
    },
    async listDirectory(directory) {
      const { fsp } = await nodeModules();
      return fsp.readdir(directory).catch(() => []);
    },
    async remove(file) {
      const { fsp } = await nodeModules();
      await fsp.rm(file, { recursive: true, force: true });
    },
    async openRead(file) {
      const { fs, fsp } = await nodeModules();
      let size: number;
      try {
        size = (await fsp.stat(file)).size;
      } catch (error) {
        throw new TunekitError('read_failed', `Cannot read ${file}: ${(error as Error).message}`, { fix: 'Check that the path exists and is a readable file (not a directory), and its permissions.' });
      }
      return { size, chunks: fs.createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Uint8Array> };
    },
    ...nodeCacheFiles(options.openForAppend),
  };
}
