/**
 * Writing records back out: JSON arrays, JSON Lines, TSV.
 * @module
 */
import { InvalidArgumentError } from '../errors/common-errors.js';

/** One JSON object per line, each line ending with a newline. */
export function toJSONL(records: Iterable<unknown>): string {
  let out = '';
  for (const record of records) out += `${JSON.stringify(record)}\n`;
  return out;
}

/** A JSON array, pretty-printed like the Alpaca data files (4-space indent), with a final newline. */
export function toJSONArray(records: readonly unknown[], options: { indent?: number } = {}): string {
  const indent = options.indent ?? 4;
  return `${JSON.stringify(records, null, indent)}\n`;
}

/**
 * Tab-separated rows in the given column order, without a header unless
 * asked. TSV has no quoting, so a tab or line break inside a value is an
 * error rather than a silently broken row.
 */
export function toTSV(rows: readonly Record<string, unknown>[], options: { columns: readonly string[]; header?: boolean }): string {
  const { columns } = options;
  const lines = options.header ? [columns.join('\t')] : [];
  rows.forEach((row, i) => {
    const fields = columns.map((column) => {
      const text = String(row[column] ?? '');
      if (/[\t\r\n]/.test(text)) throw new InvalidArgumentError(`row ${i}, column "${column}": TSV values cannot contain tabs or line breaks`, { fix: 'Write JSONL instead (toJSONL), or replace tabs and line breaks in that value.' });
      return text;
    });
    lines.push(fields.join('\t'));
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
