/** Reading and reporting in one streaming pass. @module */
import type { ReadError } from '../read/read-error.js';
import { streamRecords, type ReadOptions } from '../read/read-records.js';
import type { TextSource } from '../read/text-source.js';
import { ReportBuilder } from './report-builder.js';
import { counterFor, type ValidationOptions, type ValidationReport } from './validation-report.js';

/**
 * Reads a source and builds its {@link ValidationReport} as the records
 * stream by: memory grows with the number of examples (a few numbers each)
 * and problems, not with the size of the records.
 */
export async function validateSource(source: TextSource, options: ReadOptions & ValidationOptions = {}): Promise<ValidationReport> {
  const file = options.file ?? '<input>';
  // When the counter does not wait for the detected kind, it is resolved
  // first, so a missing tokenizer stops the run before any reading.
  const counterKnown = options.counter ?? options.tokenize ?? options.encoding ?? options.kind;
  let builder = counterKnown ? new ReportBuilder(options, await counterFor(options.kind, options)) : undefined;
  // Problems before the first good record wait until its kind picks the default encoding.
  const early: ReadError[] = [];
  let kind = options.kind;
  for await (const item of streamRecords(source, options)) {
    if (!item.ok) {
      if (builder) builder.addProblem(item.error);
      else early.push(item.error);
      continue;
    }
    kind ??= item.kind;
    if (!builder) {
      builder = new ReportBuilder(options, await counterFor(kind, options));
      for (const error of early.splice(0)) builder.addProblem(error);
    }
    builder.addRecord(item, item.kind);
  }
  builder ??= new ReportBuilder(options, await counterFor(kind, options));
  for (const error of early) builder.addProblem(error);
  return builder.finish(file, kind);
}
