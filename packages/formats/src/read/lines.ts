/** Splitting text chunks into numbered lines. @module */

/** One line of input, without its line break. */
export interface NumberedLine {
  /** The text (a trailing `\r` is removed). */
  text: string;
  /** 1-based line number. */
  line: number;
}

/** Yields the lines of a chunked text; a final empty line (after the last newline) is not yielded. */
export async function* numberedLines(chunks: AsyncIterable<string>): AsyncGenerator<NumberedLine> {
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    pending += chunk;
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      line += 1;
      yield { text: stripCr(pending.slice(start, end)), line };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending.length > 0) yield { text: stripCr(pending), line: line + 1 };
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
