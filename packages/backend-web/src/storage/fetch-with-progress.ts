/**
 * Downloads with progress, and an optional Cache API layer so a page reload
 * does not fetch a 500 MB checkpoint again.
 */
import type { LoadProgress } from '@tunekit/core';

/** Progress of one download; `fromCache` says whether the bytes come from the Cache API. */
export interface FetchProgress extends LoadProgress {
  /** True when the response was served from the Cache API layer. */
  fromCache: boolean;
}

/** The parts of a `Cache` this helper uses. */
export interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
}

/** The parts of `CacheStorage` (`globalThis.caches`) this helper uses. */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}

/** Options of {@link fetchWithProgress}. */
export interface FetchWithProgressOptions {
  /** Called with cumulative progress: once at 0 bytes, then after each chunk. */
  onProgress?: (progress: FetchProgress) => void;
  /** `'cache-api'`: answer from (and fill) the Cache API. Default: always fetch. */
  cache?: 'cache-api' | false;
  /** Cache name (default `'tunekit-downloads'`). */
  cacheName?: string;
  /** Cache storage (default `globalThis.caches`; without it, the cache layer is skipped). */
  cacheStorage?: CacheStorageLike;
  /** Request headers, e.g. `Authorization` for gated models. */
  headers?: Record<string, string>;
  /** Cancels the download. */
  signal?: AbortSignal;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

/**
 * The announced size, when it is the size of the bytes we will read. With a
 * `Content-Encoding` (gzip, br) `Content-Length` counts the compressed bytes
 * while the body yields decoded ones, so the total is then unknown.
 */
function announcedSize(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  const length = response.headers.get('content-length');
  if ((encoding && encoding !== 'identity') || length === null) return undefined;
  const size = Number(length);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/** Reads a body chunk by chunk, reporting progress; fills a preallocated array when the size is known. */
async function readBody(response: Response, file: string, fromCache: boolean, onProgress?: (progress: FetchProgress) => void): Promise<Uint8Array> {
  const totalBytes = announcedSize(response);
  let loadedBytes = 0;
  const report = () => onProgress?.({ file, loadedBytes, totalBytes, fromCache });
  report();
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    loadedBytes = bytes.byteLength;
    report();
    return bytes;
  }
  // One copy of the download in memory when the size is known; a list of
  // chunks joined at the end when it is not.
  const preallocated = totalBytes !== undefined ? new Uint8Array(totalBytes) : undefined;
  const parts: Uint8Array[] = [];
  const reader = response.body.getReader();
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      const of = totalBytes !== undefined ? ` of ${totalBytes}` : '';
      throw new Error(`Download of ${file} failed after ${loadedBytes}${of} bytes: ${(error as Error).message}`, { cause: error });
    }
    const { value, done } = next;
    if (done) break;
    if (preallocated && loadedBytes + value.byteLength <= preallocated.byteLength) preallocated.set(value, loadedBytes);
    else parts.push(value);
    loadedBytes += value.byteLength;
    report();
  }
  if (totalBytes !== undefined && loadedBytes !== totalBytes) {
    throw new Error(`Download of ${file} ended after ${loadedBytes} of ${totalBytes} bytes`);
  }
  if (preallocated) return preallocated;
  const out = new Uint8Array(loadedBytes);
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}

async function openCache(options: FetchWithProgressOptions): Promise<CacheLike | undefined> {
  if (options.cache !== 'cache-api') return undefined;
  // The Cache API exists only in secure contexts (and not in Node): without it
  // the download still works, it is just not kept.
  const storage = options.cacheStorage ?? (globalThis as { caches?: CacheStorageLike }).caches;
  return storage?.open(options.cacheName ?? 'tunekit-downloads');
}

/**
 * Fetches `url` into memory, reporting progress (the total comes from
 * `Content-Length` when the server sends it). With `cache: 'cache-api'` a
 * cached copy is returned without a request, and a fresh download is stored.
 * Rejects on HTTP errors and on bodies shorter than announced.
 */
export async function fetchWithProgress(url: string, options: FetchWithProgressOptions = {}): Promise<Uint8Array> {
  const cache = await openCache(options);
  const cached = await cache?.match(url);
  if (cached) return readBody(cached, url, true, options.onProgress);

  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: options.headers, signal: options.signal });
  } catch (error) {
    throw new Error(`Cannot fetch ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new Error(`Cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  const bytes = await readBody(response, url, false, options.onProgress);
  if (cache) {
    const headers = { 'content-type': response.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(bytes.byteLength) };
    // A full quota must not fail a download that already succeeded.
    await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => undefined);
  }
  return bytes;
}
