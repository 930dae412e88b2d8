/** Making `JSON.parse` errors say where, in lines. @module */

/** A parse failure located in the parsed text. */
export interface LocatedJsonError {
  /** The engine's message, without its echo of the input or its position. */
  message: string;
  /** 0-based line offset inside the parsed text, when the engine told us. */
  lineOffset: number;
}

/**
 * Reads V8's "at position N" (or Firefox's "line L column C") out of a
 * `JSON.parse` error and turns it into a line offset inside `text`.
 */
export function locateJsonError(error: unknown, text: string): LocatedJsonError {
  const raw = error instanceof Error ? error.message : String(error);
  let lineOffset = 0;
  const position = /at position (\d+)/.exec(raw);
  const lineColumn = /line (\d+) column \d+/.exec(raw);
  if (position) {
    const end = Math.min(Number(position[1]), text.length);
    // `\r\n`, a lone `\r` and `\n` each end one line, as the readers count them.
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 || (c === 10 && text.charCodeAt(i - 1) !== 13)) lineOffset++;
    }
  } else if (lineColumn) {
    lineOffset = Number(lineColumn[1]) - 1;
  }
  const message = raw
    .replace(/^JSON\.parse: /, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ at line \d+ column \d+ of the JSON data$/, '');
  return { message, lineOffset };
}
