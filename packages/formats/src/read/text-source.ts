/**
 * Turning whatever the caller has (a string, bytes, a Node stream, a web
 * stream) into decoded text chunks, without reading it all at once.
 * @module
 */

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

/** Yields the source as decoded text chunks (UTF-8, byte-order mark removed). */
export async function* textChunks(source: TextSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of rawChunks(source)) {
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
