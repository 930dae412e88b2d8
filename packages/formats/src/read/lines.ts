/** Splitting text chunks into numbered lines. @module */

/** One line of input, without its line break. */
export interface NumberedLine {
  /** The text, without its line break. */
  text: string;
  /** 1-based line number. */
  line: number;
}

/**
 * Yields the lines of a chunked text. A line ends at `\n`, `\r\n` or a lone
 * `\r` (classic Mac files, and some spreadsheet exports), so line numbers
 * match what an editor shows. A final empty line (after the last break) is
 * not yielded.
 */
export async function* numberedLines(chunks: AsyncIterable<string>): AsyncGenerator<NumberedLine> {
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    pending += chunk;
    const breaks = new LineBreaks(pending);
    let start = 0;
    for (let end = breaks.next(start); end !== -1; end = breaks.next(start)) {
      // A `\r` that ends the text may be the first half of a `\r\n` split across chunks.
      if (end === pending.length - 1 && pending.charCodeAt(end) === CR) break;
      line += 1;
      yield { text: pending.slice(start, end), line };
      start = end + (pending.charCodeAt(end) === CR && pending.charCodeAt(end + 1) === LF ? 2 : 1);
    }
    pending = pending.slice(start);
  }
  if (pending.endsWith('\r')) pending = pending.slice(0, -1);
  else if (pending.length === 0) return;
  line += 1;
  yield { text: pending, line };
}

const CR = 13;
const LF = 10;

/**
 * Finds the next `\r` or `\n` with native `indexOf`, remembering each
 * character's next position so a text without any `\r` is scanned once, not
 * once per line.
 */
class LineBreaks {
  private cr = -2;
  private lf = -2;

  constructor(private readonly text: string) {}

  /** Index of the next break at or after `from`, or -1. */
  next(from: number): number {
    if (this.cr !== -1 && this.cr < from) this.cr = this.text.indexOf('\r', from);
    if (this.lf !== -1 && this.lf < from) this.lf = this.text.indexOf('\n', from);
    if (this.cr === -1) return this.lf;
    if (this.lf === -1) return this.cr;
    return Math.min(this.cr, this.lf);
  }
}
