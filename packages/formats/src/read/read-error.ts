/**
 * Reading errors: collected, never thrown one at a time.
 * @module
 */
import { TunekitError } from '../errors/tunekit-error.js';

/** One problem found while reading or checking a file. */
export interface ReadError {
  /** The file name given to the reader (`<input>` when none was). */
  file: string;
  /** 1-based line where the problem is (the record's first line when no finer place is known). */
  line: number;
  /** 0-based index of the record in the file, when the problem belongs to one. */
  record?: number;
  /** The field, as a path (`messages[2].content`), when the problem belongs to one. */
  field?: string;
  /** What is wrong. */
  message: string;
  /** A stable code to count by (`invalid_json`, `missing_field`, a cookbook code…). */
  code?: string;
}

/** Formats errors one per line: `file:line field: message`. */
export function formatReadErrors(errors: readonly ReadError[]): string {
  return errors
    .map((e) => `${e.file}:${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message}`)
    .join('\n');
}

/** The one error thrown by the `…OrThrow` readers; it carries every problem found. */
export class RecordsError extends TunekitError {
  /** Every problem, in file order. */
  readonly errors: readonly ReadError[];

  /** Builds the error; its message lists every problem. */
  constructor(errors: readonly ReadError[]) {
    const noun = errors.length === 1 ? 'problem' : 'problems';
    super('invalid_records', `${errors.length} ${noun} found:\n${formatReadErrors(errors)}\n`, {
      fix: `Correct ${errors.length === 1 ? 'that record' : 'those records'} (each line names the file, line and field), or call readRecords() to keep the good records and get the problems as data.`,
    });
    this.errors = errors;
  }
}
