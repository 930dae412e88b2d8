/**
 * Downloads with progress, and an optional Cache API layer so a page reload
 * does not fetch a 500 MB checkpoint again.
 */
import { collectBytes, fetchStream, responseStream, withProgress, type LoadProgress } from '@tunekit/core';

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

/** Reads a body with core's one streaming reader, reporting progress tagged with where the bytes come from. */
async function readBody(response: Response, file: string, fromCache: boolean, onProgress?: (progress: FetchProgress) => void): Promise<Uint8Array> {
  const { size, chunks } = responseStream(response, { file });
  const report = onProgress && ((progress: LoadProgress) => onProgress({ ...progress, fromCache }));
  return collectBytes(withProgress(chunks, { file, totalBytes: size, onProgress: report }), { size });
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

  const { response } = await fetchStream(url, { fetch: options.fetch, headers: options.headers, signal: options.signal });
  const bytes = await readBody(response, url, false, options.onProgress);
  if (cache) {
    const headers = { 'content-type': response.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(bytes.byteLength) };
    // A full quota must not fail a download that already succeeded.
    await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => undefined);
  }
  return bytes;
}
