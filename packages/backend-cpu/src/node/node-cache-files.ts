/**
 * The optional `FileIO` members a download cache needs (core's Hugging Face
 * Hub cache): sizes, resumable appends, a streamed SHA-256, relative symbolic
 * links and `~`. Node's file system; the modules load on first use.
 */
import type { FileIO } from '@tunekit/backend-spec';
import { TunekitError } from '@tunekit/formats';
import { nodeModules } from './node-modules';
import { type WritableFile, writeFully } from './write-fully';

/** The members this file implements. */
export type CacheFileMembers = Required<Pick<FileIO, 'fileSize' | 'appendChunks' | 'sha256' | 'symlink' | 'resolvePath'>>;

/** Opens `path` for appending, creating it (`fs.promises.open(path, 'a')`). */
async function openForAppendDefault(path: string): Promise<WritableFile> {
  return (await nodeModules()).fsp.open(path, 'a');
}

/**
 * The cache members of the Node {@link FileIO}. `openForAppend` opens a file
 * for appending; tests inject one whose writes come back short.
 */
export function nodeCacheFiles(openForAppend: (path: string) => Promise<WritableFile> = openForAppendDefault): CacheFileMembers {
  return {
    async fileSize(file) {
      const { fsp } = await nodeModules();
      const stat = await fsp.stat(file).catch(() => undefined);
      return stat?.isFile() ? stat.size : undefined;
    },
    async appendChunks(file, chunks) {
      const { fsp, path } = await nodeModules();
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const handle = await openForAppend(file);
      try {
        // The shared loop: a short write is retried, no progress is `disk_full`.
        await writeFully(handle, chunks, file);
      } finally {
        await handle.close();
      }
    },
    async sha256(file) {
      const { crypto, fs } = await nodeModules();
      const hash = crypto.createHash('sha256');
      try {
        for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) hash.update(chunk as Uint8Array);
      } catch (error) {
        throw new TunekitError('read_failed', `Cannot read ${file}: ${(error as Error).message}`, { fix: 'Check that the file exists and is readable.', cause: error });
      }
      return hash.digest('hex');
    },
    async symlink(target, link) {
      const { fsp, path } = await nodeModules();
      const folder = path.dirname(link);
      await fsp.mkdir(folder, { recursive: true });
      await fsp.symlink(path.relative(folder, target), link);
    },
    async resolvePath(file) {
      const { os, path } = await nodeModules();
      const home = file === '~' || file.startsWith('~/') || file.startsWith(`~${path.sep}`);
      return home ? path.join(os.homedir(), file.slice(1)) : path.resolve(file);
    },
  };
}
