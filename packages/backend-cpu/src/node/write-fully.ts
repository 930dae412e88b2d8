/**
 * Writing every byte. `FileHandle.write` may write fewer bytes than asked
 * without throwing (a full disk returns a short write first, ENOSPC only on
 * the next call), so one call per chunk can silently truncate a file.
 */
import { FileWriteError } from '@tunekit/formats';

/** True when a Node error means the disk or quota is full. */
function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The part of Node's `FileHandle` that writing needs (tests inject one that writes short). */
export interface WritableFile {
  /** Writes `length` bytes of `buffer` from `offset`; may write fewer. */
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  /** Flushes the file to the device. */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Writes all of `chunks` to `file`, looping on short writes, then flushes it.
 * A write that makes no progress, or that fails with ENOSPC, is a
 * `disk_full` {@link FileWriteError} naming `path`; any other failure a
 * `write_failed` one.
 */
export async function writeFully(file: WritableFile, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, path: string): Promise<number> {
  let written = 0;
  let expected = 0;
  // Errors of the device are wrapped with the path; errors of whoever produces the chunks pass through unchanged.
  const device = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw new FileWriteError(isDiskFull(error) ? 'disk_full' : 'write_failed', path, { written, expected }, { cause: error, fix: isDiskFull(error) ? undefined : 'Check that the folder exists and is writable (permissions, read-only mount), then write again.' });
    }
  };
  for await (const chunk of chunks) {
    expected += chunk.byteLength;
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await device(() => file.write(chunk, offset, chunk.byteLength - offset));
      // Zero bytes and no error: the device has no room left (Node reports ENOSPC only on a later call, if at all).
      if (!(bytesWritten > 0)) throw new FileWriteError('disk_full', path, { written, expected }, { fix: 'Free some space on that disk, or write to another one.' });
      offset += bytesWritten;
      written += bytesWritten;
    }
  }
  await device(() => file.sync());
  return written;
}
