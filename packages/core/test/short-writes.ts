// A real file handle whose writes come back short, as Node's do on a full disk.
import { open } from 'node:fs/promises';
import type { WritableFile } from '@tunekit/backend-cpu/node';

/**
 * Opens `path` with `flags` (`'w'` to write, `'a'` to append) and writes at
 * most `perCall` bytes per call, and nothing at all once `capacity` bytes are in.
 */
export function shortWrites(perCall: number, capacity = Infinity, flags: 'w' | 'a' = 'w'): (path: string) => Promise<WritableFile> {
  return async (path) => {
    const handle = await open(path, flags);
    let total = 0;
    return {
      async write(buffer, offset, length) {
        const n = Math.max(0, Math.min(length, perCall, capacity - total));
        total += n;
        return n === 0 ? { bytesWritten: 0 } : handle.write(buffer, offset, n);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  };
}
