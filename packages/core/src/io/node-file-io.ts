/**
 * File I/O on Node's file system, shared by the embedded CPU backend and
 * `@tunekit/backend-node`. Node modules are imported lazily so that this file
 * can sit in a browser bundle without pulling in `node:fs`.
 */
import type { FileIO } from '../backend/backend-spec';

// Type-only imports are erased from the output; the modules load lazily below.
import type * as NodeFsModule from 'node:fs';
import type * as NodeFsPromisesModule from 'node:fs/promises';
import type * as NodePathModule from 'node:path';

type NodeFs = typeof NodeFsModule;
type NodeFsPromises = typeof NodeFsPromisesModule;
type NodePath = typeof NodePathModule;

let modules: Promise<{ fs: NodeFs; fsp: NodeFsPromises; path: NodePath }> | undefined;

function nodeModules() {
  // Specifiers in variables keep browser bundlers from trying to resolve them.
  const fsName = 'node:fs';
  const fspName = 'node:fs/promises';
  const pathName = 'node:path';
  modules ??= Promise.all([
    import(/* @vite-ignore */ fsName) as Promise<NodeFs>,
    import(/* @vite-ignore */ fspName) as Promise<NodeFsPromises>,
    import(/* @vite-ignore */ pathName) as Promise<NodePath>,
  ]).then(([fs, fsp, path]) => ({ fs, fsp, path }));
  return modules;
}

/** Whether this runtime is Node (or a Node-compatible one). */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

let temporaryCounter = 0;

async function withTemporaryFile(target: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const { fsp, path } = await nodeModules();
  const directory = path.dirname(target);
  await fsp.mkdir(directory, { recursive: true });
  const temporary = path.join(directory, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${temporaryCounter++}`);
  try {
    await write(temporary);
    // rename() within one directory is atomic on POSIX: readers see the old
    // file or the new one, never a half-written one.
    await fsp.rename(temporary, target);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
}

/** The Node file-system {@link FileIO}. */
export function nodeFileIO(): FileIO {
  return {
    async readFile(file) {
      const { fsp } = await nodeModules();
      try {
        return new Uint8Array(await fsp.readFile(file));
      } catch (error) {
        throw new Error(`Cannot read ${file}: ${(error as Error).message}`);
      }
    },
    async writeFileAtomic(file, data) {
      const { fsp } = await nodeModules();
      await withTemporaryFile(file, async (temporary) => {
        const handle = await fsp.open(temporary, 'w');
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
    },
    async writeChunksAtomic(file, chunks) {
      const { fsp } = await nodeModules();
      await withTemporaryFile(file, async (temporary) => {
        const handle = await fsp.open(temporary, 'w');
        try {
          for (const chunk of chunks) await handle.write(chunk);
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
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
        throw new Error(`Cannot read ${file}: ${(error as Error).message}`);
      }
      return { size, chunks: fs.createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Uint8Array> };
    },
  };
}

/** Joins path segments with `/` (enough for our own layouts on every platform Node runs on). */
export function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') || directory.endsWith('\\') ? `${directory}${name}` : `${directory}/${name}`;
}
