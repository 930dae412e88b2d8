/**
 * Reading records of a known (or detected) kind from JSON, JSONL or TSV,
 * streaming, with every problem collected and located.
 * @module
 */
import type { ClassificationCheckOptions } from '../records/check-classification.js';
import { checkFor } from '../records/checks.js';
import { detectKind } from '../records/detect-kind.js';
import type { FieldIssue, RecordCheck } from '../records/field-issue.js';
import type { AnyRecord, RecordKind, RecordOfKind } from '../records/record-types.js';
import { formatFromFileName, isCSVFileName, looksLikeCSV, sniffFormat, type DataFormat } from './detect-format.js';
import { UnreadableInputError } from './input-error.js';
import { parseJSONArray } from './json-array.js';
import { parseJSONL } from './jsonl.js';
import type { ParsedItem, ParsedValue, ParseProblem } from './parsed-item.js';
import { RecordsError, type ReadError } from './read-error.js';
import { textChunks, type TextSource } from './text-source.js';
import { parseTSV, type TSVOptions } from './tsv.js';

/** Options of the record readers. */
export interface ReadOptions extends ClassificationCheckOptions {
  /** The file name used in errors, and to pick the format from its extension. Default `<input>`. */
  file?: string;
  /** The format; default from {@link ReadOptions.file}'s extension, else guessed from the first character. */
  format?: DataFormat;
  /** The record kind; default detected from the first record (TSV rows are classification rows). */
  kind?: RecordKind;
  /** TSV layout. */
  tsv?: TSVOptions;
}

/** A record with where it came from. */
export interface LocatedRecord<T = AnyRecord> {
  /** The record, checked against its kind. */
  record: T;
  /** The file name given to the reader. */
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  /** 0-based index of the record in the file (bad records keep their index). */
  index: number;
}

/** A good record, as {@link streamRecords} yields it. */
export interface ReadRecordItem<T = AnyRecord> extends LocatedRecord<T> {
  /** A record, not a problem. */
  ok: true;
  /** The kind the record was checked as (given, or detected from the first record). */
  kind: RecordKind;
}

/** A record or a problem, in file order. */
export type ReadItem<T = AnyRecord> = ReadRecordItem<T> | ParseProblem;

/** Everything read from one source. */
export interface ReadResult<T = AnyRecord> {
  /** The kind of the records (given or detected); undefined when nothing could be read. */
  kind: RecordKind | undefined;
  /** The format that was read. */
  format: DataFormat;
  /** The good records. */
  records: LocatedRecord<T>[];
  /** Every problem, in file order. */
  errors: ReadError[];
}

/**
 * Streams records: each good record or each problem, in file order, without
 * holding the file in memory. A record with problems yields one error per
 * problem and no record.
 */
export function streamRecords<K extends RecordKind>(source: TextSource, options: ReadOptions & { kind: K }): AsyncGenerator<ReadItem<RecordOfKind[K]>>;
export function streamRecords(source: TextSource, options?: ReadOptions): AsyncGenerator<ReadItem>;
export async function* streamRecords(source: TextSource, options: ReadOptions = {}): AsyncGenerator<ReadItem> {
  const session = new ReadSession(options);
  for await (const item of parseSource(source, options, session)) yield* session.check(item);
}

/** Reads every record and every problem. Never throws for bad data. */
export function readRecords<K extends RecordKind>(source: TextSource, options: ReadOptions & { kind: K }): Promise<ReadResult<RecordOfKind[K]>>;
export function readRecords(source: TextSource, options?: ReadOptions): Promise<ReadResult>;
export async function readRecords(source: TextSource, options: ReadOptions = {}): Promise<ReadResult> {
  const session = new ReadSession(options);
  const records: LocatedRecord[] = [];
  const errors: ReadError[] = [];
  for await (const item of parseSource(source, options, session)) {
    for (const checked of session.check(item)) {
      if (checked.ok) records.push(checked);
      else errors.push(checked.error);
    }
  }
  return { kind: session.kind, format: session.format ?? 'json', records, errors };
}

/**
 * Reads every record, or throws one {@link RecordsError} whose message lists
 * every problem (`file:line field: message`).
 */
export function readRecordsOrThrow<K extends RecordKind>(source: TextSource, options: ReadOptions & { kind: K }): Promise<LocatedRecord<RecordOfKind[K]>[]>;
export function readRecordsOrThrow(source: TextSource, options?: ReadOptions): Promise<LocatedRecord[]>;
export async function readRecordsOrThrow(source: TextSource, options: ReadOptions = {}): Promise<LocatedRecord[]> {
  const result = await readRecords(source, options);
  if (result.errors.length > 0) throw new RecordsError(result.errors);
  return result.records;
}

/**
 * Picks the parser and runs it. An input that is not text data (binary, CSV,
 * damaged gzip) becomes one located problem instead of records parsed from
 * garbage: before the first record when the first bytes tell, else where
 * reading stopped.
 */
async function* parseSource(source: TextSource, options: ReadOptions, session: ReadSession): AsyncGenerator<ParsedItem> {
  const file = session.file;
  let lastLine = 1;
  const unreadable = (e: UnreadableInputError): ParsedItem => ({ ok: false, error: { file, line: lastLine, message: e.message, code: e.code } });
  const csv: ParsedItem = {
    ok: false,
    error: {
      file,
      line: 1,
      message: "CSV is not supported: the readers take tab-separated values (TSV), JSON or JSONL. Save it as TSV, or pass the format 'tsv' if it is in fact tab-separated.",
      code: 'unsupported_format',
    },
  };
  if (!options.format && isCSVFileName(file)) {
    yield csv;
    return;
  }
  const iterator = textChunks(source)[Symbol.asyncIterator]();
  let first: IteratorResult<string>;
  try {
    first = await iterator.next();
  } catch (e) {
    if (!(e instanceof UnreadableInputError)) throw e;
    yield unreadable(e);
    return;
  }
  const chunks = prepend(first.done ? undefined : first.value, iterator);
  const named = options.format ?? formatFromFileName(file);
  const start = first.done ? '' : first.value;
  const format = named ?? sniffFormat(start);
  session.format = format;
  // Guessed (standard input, no extension): commas and no tab on the first line is CSV, not one-column TSV.
  if (!named && format === 'tsv' && looksLikeCSV(start)) {
    yield csv;
    return;
  }
  const items = format === 'tsv' ? parseTSV(chunks, { file, ...options.tsv }) : format === 'jsonl' ? parseJSONL(chunks, { file }) : parseJSONArray(chunks, { file });
  try {
    for await (const item of items) {
      lastLine = item.ok ? item.line : item.error.line;
      yield item;
    }
  } catch (e) {
    if (!(e instanceof UnreadableInputError)) throw e;
    yield unreadable(e);
  }
}

async function* prepend(head: string | undefined, rest: AsyncIterator<string>): AsyncGenerator<string> {
  if (head !== undefined) yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** Kind detection and checking shared across one read. */
class ReadSession {
  readonly file: string;
  format: DataFormat | undefined;
  kind: RecordKind | undefined;
  private checkRecord: RecordCheck | undefined;

  constructor(private readonly options: ReadOptions) {
    this.file = options.file ?? '<input>';
    this.kind = options.kind;
  }

  *check(item: ParsedItem): Generator<ReadItem> {
    if (!item.ok) {
      yield item;
      return;
    }
    if (!this.kind) this.kind = this.format === 'tsv' ? 'classification' : detectKind(item.value);
    if (!this.kind) {
      yield this.issue(item, {
        code: 'unknown_kind',
        message: 'cannot tell the record kind from its keys (expected Alpaca, ShareGPT, OpenAI chat, preference or classification fields)',
      });
      return;
    }
    this.checkRecord ??= checkFor(this.kind, this.options);
    const issues = this.checkRecord(item.value);
    if (issues.length === 0) {
      yield { ok: true, kind: this.kind, record: item.value as AnyRecord, file: this.file, line: item.line, index: item.index };
      return;
    }
    for (const issue of issues) yield this.issue(item, issue);
  }

  private issue(item: ParsedValue, issue: FieldIssue): ReadItem {
    const line = fieldLine(item, issue.field);
    return { ok: false, error: { file: this.file, line, record: item.index, field: issue.field, message: issue.message, code: issue.code } };
  }
}

/** The line of a field, or of its nearest enclosing field, or of the record. */
function fieldLine(item: ParsedValue, field: string | undefined): number {
  for (let path = field; path; path = parentPath(path)) {
    const line = item.fieldLines?.get(path);
    if (line !== undefined) return line;
  }
  return item.line;
}

function parentPath(path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut > 0 ? path.slice(0, cut) : undefined;
}
