/**
 * Turning whatever the caller has (a string, bytes, a Node stream, a web
 * stream) into decoded text chunks, without reading it all at once. Byte
 * inputs are sniffed first: gzip is decompressed on the way, UTF-16 with a
 * byte-order mark is decoded, and binary data is refused.
 * @module
 */
import { DATA_FILE_FIX, UnreadableInputError } from './input-error.js';
import { SNIFF_BYTES, sniffBytes } from './sniff-bytes.js';

/** A chunk of input: text, or UTF-8 bytes. */
export type Chunk = string | Uint8Array;

/**
 * Anything the readers accept: the whole text, its bytes, or a (sync or
 * async) iterable of chunks. Node readable streams and web `ReadableStream`s
 * both qualify.
 */
export type TextSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Iterable<Chunk>
  | AsyncIterable<Chunk>
  | ReadableStream<Chunk>;

/**
 * Yields the source as decoded text chunks (byte-order mark removed). Bytes
 * are UTF-8 unless they start with a UTF-16 byte-order mark; gzip data is
 * decompressed (with the platform's `DecompressionStream`, in Node and
 * browsers alike).
 *
 * @throws {@link UnreadableInputError} when the bytes are binary (an
 * archive, an image, an executable, anything with NUL bytes near the start)
 * or the gzip data is damaged.
 */
export async function* textChunks(source: TextSource): AsyncGenerator<string> {
  const chunks = rawChunks(source)[Symbol.asyncIterator]();
  try {
    yield* sniffAndDecode(chunks);
  } finally {
    // Closes the file or stream when reading stops early (a refused binary file, a consumer that quits).
    await chunks.return?.(undefined);
  }
}

async function* sniffAndDecode(chunks: AsyncIterator<Chunk>): AsyncGenerator<string> {
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let next = await chunks.next();
  // Strings are text already; bytes are looked at before they are decoded.
  while (!next.done && typeof next.value !== 'string' && headBytes < SNIFF_BYTES) {
    head.push(next.value);
    headBytes += next.value.length;
    next = await chunks.next();
  }
  const rest = continueWith(next, chunks);
  if (head.length === 0) {
    yield* decode(rest, 'utf-8');
    return;
  }
  const sniff = sniffBytes(concat(head, SNIFF_BYTES));
  const all = prepend(head, rest);
  if (sniff.kind === 'binary') throw new UnreadableInputError('binary_file', `not a text file: it looks like ${sniff.description}.`, { fix: DATA_FILE_FIX });
  if (sniff.kind === 'gzip') yield* textChunks(gunzip(all));
  else yield* decode(all, sniff.encoding);
}

/** Decodes chunks; text chunks pass through. */
async function* decode(chunks: AsyncIterable<Chunk>, encoding: string): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let first = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // TextDecoder drops a byte-order mark itself; text chunks may still carry one.
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

/** Decompresses gzip bytes as they arrive; damage becomes an {@link UnreadableInputError}. */
async function* gunzip(chunks: AsyncIterable<Chunk>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const compressed = new ReadableStream<BufferSource>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      // Chunks are views of ordinary ArrayBuffers (file and stream reads); the cast only narrows the buffer type.
      else controller.enqueue(typeof next.value === 'string' ? new TextEncoder().encode(next.value) : (next.value as Uint8Array<ArrayBuffer>));
    },
  });
  const reader = compressed.pipeThrough(new DecompressionStream('gzip')).getReader();
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new UnreadableInputError('corrupt_gzip', `the gzip data is damaged or cut short (${why}).`, { fix: 'Compress the file again, or give it uncompressed.', cause });
    }
    if (next.done) return;
    yield next.value;
  }
}

/** The first `limit` bytes of the chunks, as one array. */
function concat(chunks: readonly Uint8Array[], limit: number): Uint8Array {
  const total = Math.min(limit, chunks.reduce((n, c) => n + c.length, 0));
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= total) break;
    const part = chunk.subarray(0, total - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function* continueWith<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let next = first; !next.done; next = await rest.next()) yield next.value;
}

async function* prepend<T>(head: readonly T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* head;
  yield* rest;
}

async function* rawChunks(source: TextSource): AsyncGenerator<Chunk> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    yield source;
  } else if (source instanceof ArrayBuffer) {
    yield new Uint8Array(source);
  } else if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Chunk>;
  } else if (Symbol.iterator in source) {
    yield* source as Iterable<Chunk>;
  } else {
    // Some browsers' ReadableStream is not async-iterable yet.
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
}
