/** Reading and reporting in one call. @module */
import { readRecords, type ReadOptions } from '../read/read-records.js';
import type { TextSource } from '../read/text-source.js';
import { buildReport, type ValidationOptions, type ValidationReport } from './validation-report.js';

/** Reads a source and builds its {@link ValidationReport}. */
export async function validateSource(source: TextSource, options: ReadOptions & ValidationOptions = {}): Promise<ValidationReport> {
  return buildReport(await readRecords(source, options), options);
}
