/**
 * The error of a write that did not complete (a full disk above all). Every
 * `FileIO` throws it (Node's file system, browser storage over quota), so it
 * sits beside `FileNotFoundError` in the base package.
 * @module
 */
import { TunekitError, type TunekitErrorOptions } from './tunekit-error.js';

/** Why a write failed: the disk is full (or quota exhausted), or another I/O error. */
export type FileWriteErrorCode = 'disk_full' | 'write_failed';

/**
 * A file could not be written completely. The previous file at `path`, if
 * any, is unchanged: writes go to a temporary file that is renamed only
 * when every byte is written and flushed.
 */
export class FileWriteError extends TunekitError {
  /** The file that was being written. */
  readonly path: string;
  /** Bytes written before the failure. */
  readonly bytesWritten: number;
  /** Bytes the file should have had. */
  readonly bytesExpected: number;

  /**
   * @param code - `disk_full` or `write_failed`
   * @param path - the file being written
   * @param progress - bytes written and expected
   * @param options - the fix and the cause
   */
  constructor(code: FileWriteErrorCode, path: string, progress: { written: number; expected: number }, options: TunekitErrorOptions = {}) {
    const why = code === 'disk_full' ? 'no space left on the device' : 'the write failed';
    const cause = options.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(code, `Cannot write ${path}: ${why} after ${progress.written} of ${progress.expected} bytes${cause}; the previous file, if any, is unchanged.`, {
      fix: options.fix ?? (code === 'disk_full' ? 'Free some space on that disk, or write to another one.' : undefined),
      cause: options.cause,
    });
    this.path = path;
    this.bytesWritten = progress.written;
    this.bytesExpected = progress.expected;
  }
}
