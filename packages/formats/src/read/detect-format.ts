/** Choosing a reader from a file name or the first bytes. @module */

/** The file formats the readers handle. */
export type DataFormat = 'json' | 'jsonl' | 'tsv';

/** The format a file name's extension implies (`.gz` is looked through), or `undefined`. */
export function formatFromFileName(fileName: string): DataFormat | undefined {
  // `data.jsonl.gz` is JSONL: the readers decompress gzip themselves.
  const name = fileName.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  return undefined;
}

/** Guesses the format from the start of the text: `[` is JSON, `{` is JSONL, anything else TSV. */
export function sniffFormat(start: string): DataFormat {
  const first = start.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  return 'tsv';
}

/** True for a `.csv` (or `.csv.gz`) file name: the readers do not read CSV. */
export function isCSVFileName(fileName: string): boolean {
  return /\.csv(\.gz)?$/i.test(fileName);
}

/**
 * True when text whose format was guessed as TSV looks like CSV instead: its
 * first line has commas and no tab (a TSV row always has a tab).
 */
export function looksLikeCSV(start: string): boolean {
  const firstLine = start.trimStart().split(/\r\n|\r|\n/, 1)[0] ?? '';
  return firstLine.includes(',') && !firstLine.includes('\t');
}
