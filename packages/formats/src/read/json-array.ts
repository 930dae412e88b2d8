/**
 * A streaming reader for a JSON array of records (the Alpaca files) that
 * knows each record's line and each field's line, and keeps going after a
 * broken record.
 *
 * `JSON.parse` on the whole file would stop at the first error and say
 * nothing about lines. Here a small scanner finds where each top-level
 * element starts and ends (tracking strings, nesting and line breaks), parses
 * each element alone, and resynchronises after damage: a raw line break
 * inside a string ends it ("unterminated string"), and a `{` where a record's
 * key was expected means the previous record lost its closing brace.
 * @module
 */
import { locateJsonError } from './json-error.js';
import type { ParsedItem } from './parsed-item.js';
import { textChunks, type TextSource } from './text-source.js';

interface Frame {
  kind: 'object' | 'array';
  /** Current key (objects) or index (arrays): the path of the value being read. */
  key?: string;
  index: number;
  expectKey: boolean;
}

type Phase = 'start' | 'array' | 'after' | 'stopped';

const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t';

/** Reads a JSON array of records, yielding each record or problem in file order. */
export async function* parseJSONArray(source: TextSource, options: { file?: string } = {}): AsyncGenerator<ParsedItem> {
  const file = options.file ?? '<input>';
  const scanner = new JsonArrayScanner(file);
  for await (const chunk of textChunks(source)) yield* scanner.push(chunk);
  yield* scanner.end();
}

class JsonArrayScanner {
  private phase: Phase = 'start';
  private line = 1;
  private lastLine = 1;
  private afterCr = false;
  private afterComma = false;
  private afterElement = false;
  private index = -1;
  private out: ParsedItem[] = [];
  // The element being read.
  private inElement = false;
  private parts: string[] = [];
  private partStart = 0;
  private startLine = 0;
  private frames: Frame[] = [];
  private primitive = false;
  private inString = false;
  private escaped = false;
  private stringIsKey = false;
  private keyText = '';
  private valuePending = false;
  private broken = false;
  private fieldLines = new Map<string, number>();

  constructor(private readonly file: string) {}

  push(chunk: string): ParsedItem[] {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inElement) this.elementChar(chunk, i, c);
      else this.outerChar(i, c);
      // `\r\n`, a lone `\r` and `\n` each end one line.
      if (c === '\r' || (c === '\n' && !this.afterCr)) this.line++;
      else if (!isSpace(c)) this.lastLine = this.line;
      this.afterCr = c === '\r';
    }
    if (this.inElement) this.parts.push(chunk.slice(this.partStart));
    this.partStart = 0;
    return this.drain();
  }

  end(): ParsedItem[] {
    if (this.inElement) {
      if (this.primitive) this.finish('', 0);
      else this.error(this.lastLine, `file ends inside record ${this.index} (it starts at line ${this.startLine})`, this.index);
    } else if (this.phase === 'start') {
      this.error(this.lastLine, 'empty input: expected a JSON array of records');
    } else if (this.phase === 'array') {
      this.error(this.lastLine, "missing the closing ']' of the array");
    }
    return this.drain();
  }

  private drain(): ParsedItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  private error(line: number, message: string, record?: number): void {
    this.out.push({ ok: false, error: { file: this.file, line, record, message, code: 'invalid_json' } });
  }

  private outerChar(i: number, c: string): void {
    if (isSpace(c) || this.phase === 'stopped') return;
    if (this.phase === 'start') {
      if (c === '[') {
        this.phase = 'array';
      } else {
        this.error(this.line, "expected a JSON array of records ('['); for one record per line use JSONL");
        this.phase = 'stopped';
      }
    } else if (this.phase === 'after') {
      this.error(this.line, "unexpected text after the closing ']'");
      this.phase = 'stopped';
    } else if (c === ',') {
      if (this.afterElement) this.afterComma = true;
      else this.error(this.line, "unexpected ','");
      this.afterElement = false;
    } else if (c === ']') {
      if (this.afterComma) this.error(this.line, "trailing ',' before ']'");
      this.phase = 'after';
    } else if (c === '}') {
      this.error(this.line, "unexpected '}' between records");
    } else {
      this.startElement(i, c);
    }
  }

  private startElement(i: number, c: string): void {
    if (this.afterElement) this.error(this.line, "missing ',' between records");
    this.index++;
    this.inElement = true;
    this.afterComma = this.afterElement = false;
    this.parts = [];
    this.partStart = i;
    this.startLine = this.line;
    this.frames = [];
    this.fieldLines = new Map();
    this.broken = this.primitive = this.inString = this.escaped = this.valuePending = false;
    if (c === '{') this.frames.push({ kind: 'object', index: 0, expectKey: true });
    else if (c === '[') this.openArray();
    else if (c === '"') this.openString(false);
    else this.primitive = true;
  }

  private elementChar(chunk: string, i: number, c: string): void {
    if (this.inString) return this.stringChar(chunk, i, c);
    if (this.primitive) {
      if (c === ',' || c === ']' || isSpace(c)) {
        this.finish(chunk, i);
        this.outerChar(i, c);
      }
      return;
    }
    const top = this.frames[this.frames.length - 1]!;
    if (isSpace(c)) return;
    switch (c) {
      case '"':
        if (top.kind === 'object' && top.expectKey) return this.openString(true);
        this.markValue();
        return this.openString(false);
      case '{':
        if (top.kind === 'object' && !this.valuePending) {
          if (this.frames.length === 1) {
            // A record starts where this one expected a key or its end: its '}' is missing.
            this.breakElement(`record ${this.index} is not closed (a '}' is missing before this line)`);
            this.inElement = false;
            this.afterElement = false;
            return this.startElement(i, c);
          }
          this.breakElement("unexpected '{' (expected a key, ',' or '}')");
        }
        this.markValue();
        this.frames.push({ kind: 'object', index: 0, expectKey: true });
        return;
      case '[':
        this.markValue();
        return this.openArray();
      case '}':
      case ']':
        this.frames.pop();
        this.valuePending = false;
        if (this.frames.length === 0) this.finish(chunk, i + 1);
        return;
      case ',':
        if (top.kind === 'object') top.expectKey = true;
        else {
          top.index++;
          this.valuePending = true;
        }
        return;
      case ':':
        this.valuePending = true;
        return;
      default:
        this.markValue();
    }
  }

  private stringChar(chunk: string, i: number, c: string): void {
    if (this.escaped) {
      this.escaped = false;
    } else if (c === '\\') {
      this.escaped = true;
    } else if (c === '"') {
      this.inString = false;
      const top = this.frames[this.frames.length - 1];
      if (this.stringIsKey && top) {
        top.key = decodeKey(this.keyText);
        top.expectKey = false;
        return;
      }
      if (!top) this.finish(chunk, i + 1);
      return;
    } else if (c === '\n' || c === '\r') {
      // JSON strings cannot hold a raw line break: the closing quote is missing.
      this.inString = false;
      this.breakElement('unterminated string (a closing quote is missing)');
      return;
    }
    if (this.stringIsKey) this.keyText += c;
  }

  private openString(isKey: boolean): void {
    this.inString = true;
    this.stringIsKey = isKey;
    this.keyText = '';
  }

  private openArray(): void {
    this.frames.push({ kind: 'array', index: 0, expectKey: false });
    this.valuePending = true;
  }

  private markValue(): void {
    if (!this.valuePending) return;
    this.valuePending = false;
    let path = '';
    for (const f of this.frames) path += f.kind === 'object' ? `${path ? '.' : ''}${f.key ?? '?'}` : `[${f.index}]`;
    if (path && !this.fieldLines.has(path)) this.fieldLines.set(path, this.line);
  }

  /** Reports the element's first problem; later ones in the same record are noise. */
  private breakElement(message: string): void {
    if (!this.broken) this.error(this.line, message, this.index);
    this.broken = true;
  }

  private finish(chunk: string, end: number): void {
    this.parts.push(chunk.slice(this.partStart, end));
    const text = this.parts.join('');
    this.parts = [];
    this.inElement = false;
    this.afterElement = true;
    if (this.broken) return;
    try {
      const value: unknown = JSON.parse(text);
      this.out.push({ ok: true, value, index: this.index, line: this.startLine, fieldLines: this.fieldLines });
    } catch (e) {
      const { message, lineOffset } = locateJsonError(e, text);
      this.error(this.startLine + lineOffset, `invalid JSON: ${message}`, this.index);
    }
  }
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
