/** Reading JSON Lines: one record per line. @module */
import { locateJsonError } from './json-error.js';
import { numberedLines } from './lines.js';
import type { ParsedItem } from './parsed-item.js';
import { textChunks, type TextSource } from './text-source.js';

/** Reads JSONL, yielding each record or problem in file order. Blank lines are skipped. */
export async function* parseJSONL(source: TextSource, options: { file?: string } = {}): AsyncGenerator<ParsedItem> {
  const file = options.file ?? '<input>';
  let index = -1;
  for await (const { text, line } of numberedLines(textChunks(source))) {
    if (text.trim() === '') continue;
    index++;
    try {
      const value: unknown = JSON.parse(text);
      yield { ok: true, value, index, line };
    } catch (e) {
      const message = `invalid JSON: ${locateJsonError(e, text).message}`;
      yield { ok: false, error: { file, line, record: index, message, code: 'invalid_json' } };
    }
  }
}
