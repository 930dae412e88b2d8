/** The error for an input that is not text data at all. @module */
import { TunekitError } from '../errors/tunekit-error.js';

/** Why an input cannot be read as records. */
export type UnreadableInputCode = 'binary_file' | 'unsupported_format' | 'corrupt_gzip';

/**
 * The input is not text the readers can parse: a binary file, a format they
 * do not read (CSV), or gzip data that is damaged. Thrown by
 * {@link textChunks}; the record readers turn it into one located
 * {@link ReadError} instead of parsing bytes as data.
 */
export class UnreadableInputError extends TunekitError {
  /** Builds the error; `message` says what the input is, `fix` what to give instead. */
  constructor(code: UnreadableInputCode, message: string, options: { fix?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** The fix shared by every "this is not a data file" message. */
export const DATA_FILE_FIX = 'Give JSON, JSONL or TSV text (UTF-8 or UTF-16; gzip-compressed is fine).';
