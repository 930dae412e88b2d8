/** What the low-level parsers yield. @module */
import type { ReadError } from './read-error.js';

/** A parsed value with where it came from. */
export interface ParsedValue {
  /** A value, not a problem. */
  ok: true;
  /** The parsed value, not yet checked against a record kind. */
  value: unknown;
  /** 0-based index of the record in the file. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
  /** Line of each field path inside the record (`messages[1].content` → 7), when known. */
  fieldLines?: ReadonlyMap<string, number>;
}

/** A problem, in place of a value. */
export interface ParseProblem {
  /** A problem, not a value. */
  ok: false;
  /** What and where. */
  error: ReadError;
}

/** A record or a problem, in file order. */
export type ParsedItem = ParsedValue | ParseProblem;
