/**
 * Records arrive either bare or as `@tunekit/formats` `LocatedRecord`s (with
 * file and line); both are accepted, and the location is kept for errors.
 */
import type { LocatedRecord } from '@tunekit/formats';
import type { ExampleSource } from './examples';

/** A record, bare or with its location. */
export type RecordInput<T> = T | LocatedRecord<T>;

function isLocated<T>(item: RecordInput<T>): item is LocatedRecord<T> {
  return typeof item === 'object' && item !== null && 'record' in item && 'file' in item && 'line' in item && 'index' in item;
}

/** The record and its source; bare records get `file` (default `<records>`) and their index. */
export function unwrapRecord<T>(item: RecordInput<T>, index: number, file = '<records>'): { record: T; source: ExampleSource } {
  if (isLocated(item)) return { record: item.record, source: { file: item.file, line: item.line, record: item.index } };
  return { record: item, source: { file, record: index } };
}
