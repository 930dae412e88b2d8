/**
 * Reading tab-separated rows, literally: no quoting, no escapes (the UCI SMS
 * spam file has stray quote characters that a CSV reader would misread).
 * @module
 */
import { numberedLines } from './lines.js';
import type { ParsedItem } from './parsed-item.js';
import { textChunks, type TextSource } from './text-source.js';

/** Options of {@link parseTSV}. */
export interface TSVOptions {
  /** Column names, in file order. Default `['label', 'text']` (the SMS spam layout). */
  columns?: readonly string[];
  /** The first line names the columns (and overrides {@link TSVOptions.columns}). Default false. */
  header?: boolean;
}

/** The SMS spam collection's layout: `label<TAB>text`. */
export const DEFAULT_TSV_COLUMNS: readonly string[] = ['label', 'text'];

/** Reads TSV rows as `{column: value}` objects, yielding each row or problem. Blank lines are skipped. */
export async function* parseTSV(source: TextSource, options: TSVOptions & { file?: string } = {}): AsyncGenerator<ParsedItem> {
  const file = options.file ?? '<input>';
  let columns = options.columns ?? DEFAULT_TSV_COLUMNS;
  let needHeader = options.header ?? false;
  let index = -1;
  for await (const { text, line } of numberedLines(textChunks(source))) {
    if (text.trim() === '') continue;
    const fields = text.split('\t');
    if (needHeader) {
      columns = fields.map((f) => f.trim());
      needHeader = false;
      continue;
    }
    index++;
    if (fields.length !== columns.length) {
      const message = `expected ${columns.length} tab-separated fields (${columns.join(', ')}), found ${fields.length}`;
      yield { ok: false, error: { file, line, record: index, message, code: 'column_count' } };
      continue;
    }
    const value: Record<string, string> = {};
    columns.forEach((name, i) => (value[name] = fields[i]!));
    yield { ok: true, value, index, line };
  }
}
