/**
 * Streaming HTTP downloads with progress: the one implementation that core's
 * `loadModel`, the Hub cache and backend-web's `fetchWithProgress` share.
 */
import { describeError, FetchError } from './fetch-error';

/** Progress of a download or load. */
export interface LoadProgress {
  /** Which file (URL or path). */
  file: string;
  /** Bytes read so far. */
  loadedBytes: number;
  /** Total bytes when known (Content-Length or file size). */
  totalBytes?: number;
}

/** A callback receiving progress updates. */
export type ProgressCallback = (progress: LoadProgress) => void;

/** Options of {@link fetchStream}. */
export interface FetchStreamOptions {
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** Request headers, e.g. `Authorization` or `Range`. */
  headers?: Record<string, string>;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** A response body as chunks, with the number of bytes those chunks will add up to when known. */
export interface ByteStream {
  /** Bytes the chunks add up to, when the response says so. */
  size?: number;
  /** The body; rejects when it breaks off or ends short of `size`. */
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * The announced size, when it is the size of the bytes we will read. With a
 * `Content-Encoding` (gzip, br) `Content-Length` counts the compressed bytes
 * while `fetch` yields decoded ones, so the total is then unknown.
 */
export function announcedSize(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  const length = response.headers.get('content-length');
  if ((encoding && encoding !== 'identity') || length === null) return undefined;
  const size = Number(length);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/**
 * The body of `response` as chunks. A body that breaks off, or ends before
 * the announced size, rejects with the byte count reached, so a truncated
 * download is never taken for a whole file.
 */
export function responseStream(response: Response, options: { file: string }): ByteStream {
  const { file } = options;
  const size = announcedSize(response);
  const body = response.body;
  const chunks: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (!body) {
        yield new Uint8Array(await response.arrayBuffer());
        return;
      }
      const reader = body.getReader();
      let loaded = 0;
      const of = size !== undefined ? ` of ${size}` : '';
      try {
        for (;;) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await reader.read();
          } catch (error) {
            throw new FetchError(file, `download failed after ${loaded}${of} bytes: ${describeError(error)}`, { cause: error, fix: 'Check the network and try again; a Hub download resumes where it stopped.' });
          }
          if (next.done) break;
          loaded += next.value.byteLength;
          yield next.value;
        }
      } finally {
        reader.releaseLock();
      }
      if (size !== undefined && loaded !== size) throw new FetchError(file, `download ended after ${loaded}${of} bytes`, { fix: 'Try again: the server closed the connection early (a proxy or a dropped network).' });
    },
  };
  return { size, chunks };
}

/**
 * Requests `url` and returns the response with its body as a chunk stream.
 * Rejects with a {@link FetchError} that keeps the cause (connection refused,
 * DNS, TLS) or names the HTTP status.
 */
export async function fetchStream(url: string, options: FetchStreamOptions = {}): Promise<ByteStream & { response: Response }> {
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: options.headers, signal: options.signal });
  } catch (error) {
    throw new FetchError(url, describeError(error), { cause: error, fix: 'Check the URL and the network (proxy, DNS, offline?).' });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(url, `HTTP ${response.status} ${response.statusText}`.trim(), { status: response.status, fix: response.status === 404 ? 'Check the URL: the server has no file there.' : response.status === 401 || response.status === 403 ? 'The file is private or gated: for the Hub, pass token (or set HF_TOKEN) and accept the model terms on its page.' : 'Try again later; check the URL if it persists.' });
  }
  return { response, ...responseStream(response, { file: url }) };
}

/** Wraps a chunk stream so that each chunk reports cumulative progress (once at 0 bytes first). */
export async function* withProgress(chunks: AsyncIterable<Uint8Array>, options: { file: string; totalBytes?: number; onProgress?: ProgressCallback }): AsyncGenerator<Uint8Array> {
  const { file, totalBytes, onProgress } = options;
  let loadedBytes = 0;
  onProgress?.({ file, loadedBytes, totalBytes });
  for await (const chunk of chunks) {
    loadedBytes += chunk.byteLength;
    onProgress?.({ file, loadedBytes, totalBytes });
    yield chunk;
  }
}

/**
 * Collects a chunk stream into one array. With `size` known the bytes go
 * straight into one preallocated array (one copy of a large download in memory).
 */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>, options: { size?: number } = {}): Promise<Uint8Array> {
  const { size } = options;
  const preallocated = size !== undefined ? new Uint8Array(size) : undefined;
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    if (preallocated && total + chunk.byteLength <= preallocated.byteLength) preallocated.set(chunk, total);
    else parts.push(chunk);
    total += chunk.byteLength;
  }
  if (preallocated && parts.length === 0 && total === preallocated.byteLength) return preallocated;
  const out = new Uint8Array(total);
  let cursor = 0;
  if (preallocated) {
    // More or fewer bytes than announced: keep what the preallocated array holds, then the rest.
    const head = Math.min(total - parts.reduce((sum, part) => sum + part.byteLength, 0), preallocated.byteLength);
    out.set(preallocated.subarray(0, head), 0);
    cursor = head;
  }
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}
