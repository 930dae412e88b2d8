import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithProgress, type CacheLike, type CacheStorageLike, type FetchProgress } from './fetch-with-progress';

// 300 KB of non-repeating bytes: several body chunks, and gzip cannot shrink it to nothing.
const payload = new Uint8Array(300_000).map((_, i) => (i * 31 + (i >> 8)) % 256);
const hits: Record<string, number> = {};
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === '/sized.bin' || path === '/cached.bin') {
      response.writeHead(200, { 'content-length': payload.byteLength, 'content-type': 'application/octet-stream' });
      response.end(payload);
    } else if (path === '/chunked.bin') {
      response.writeHead(200); // no Content-Length: Transfer-Encoding chunked
      response.write(payload.subarray(0, 100_000));
      setTimeout(() => response.end(payload.subarray(100_000)), 10);
    } else if (path === '/gzip.bin') {
      const body = gzipSync(payload);
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.byteLength });
      response.end(body);
    } else if (path === '/truncated.bin') {
      response.writeHead(200, { 'content-length': payload.byteLength });
      response.write(payload.subarray(0, 1000));
      setTimeout(() => response.destroy(), 10);
    } else if (path === '/auth.bin') {
      response.writeHead(request.headers.authorization === 'Bearer token' ? 200 : 401, { 'content-length': 2 });
      response.end('ok');
    } else {
      response.writeHead(404, 'Not Found');
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);

/** A Map-backed Cache API with Response semantics (Node has no CacheStorage). */
function memoryCaches(): CacheStorageLike & { stored: Map<string, Response> } {
  const stored = new Map<string, Response>();
  const cache: CacheLike = {
    async match(url) {
      return stored.get(url)?.clone();
    },
    async put(url, response) {
      stored.set(url, response);
    },
  };
  return { stored, open: async () => cache };
}

describe('fetchWithProgress', () => {
  it('reports progress up to the Content-Length total', async () => {
    const progress: FetchProgress[] = [];
    const bytes = await fetchWithProgress(`${base}/sized.bin`, { onProgress: (p) => progress.push(p) });
    expect(same(bytes, payload)).toBe(true);
    expect(progress[0]).toEqual({ file: `${base}/sized.bin`, loadedBytes: 0, totalBytes: payload.byteLength, fromCache: false });
    expect(progress.at(-1)).toMatchObject({ loadedBytes: payload.byteLength, totalBytes: payload.byteLength });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p, i) => i === 0 || p.loadedBytes >= progress[i - 1]!.loadedBytes)).toBe(true);
  });

  it('leaves the total unknown without Content-Length', async () => {
    const progress: FetchProgress[] = [];
    const bytes = await fetchWithProgress(`${base}/chunked.bin`, { onProgress: (p) => progress.push(p) });
    expect(same(bytes, payload)).toBe(true);
    expect(progress.every((p) => p.totalBytes === undefined)).toBe(true);
    expect(progress.at(-1)!.loadedBytes).toBe(payload.byteLength);
  });

  it('leaves the total unknown under Content-Encoding (Content-Length counts compressed bytes)', async () => {
    const progress: FetchProgress[] = [];
    const bytes = await fetchWithProgress(`${base}/gzip.bin`, { onProgress: (p) => progress.push(p) });
    expect(same(bytes, payload)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ loadedBytes: payload.byteLength, totalBytes: undefined });
  });

  it('rejects HTTP errors and truncated bodies', async () => {
    await expect(fetchWithProgress(`${base}/missing.bin`)).rejects.toThrow(`Cannot fetch ${base}/missing.bin: HTTP 404 Not Found`);
    await expect(fetchWithProgress(`${base}/truncated.bin`)).rejects.toThrow(`Cannot fetch ${base}/truncated.bin: download failed after 1000 of 300000 bytes`);
    // Port 1 is on the Fetch standard's blocked list: the cause says so.
    await expect(fetchWithProgress('http://127.0.0.1:1/refused')).rejects.toThrow('Cannot fetch http://127.0.0.1:1/refused: fetch failed (bad port)');
  });

  it('sends headers (gated models)', async () => {
    await expect(fetchWithProgress(`${base}/auth.bin`)).rejects.toThrow('HTTP 401');
    expect(new TextDecoder().decode(await fetchWithProgress(`${base}/auth.bin`, { headers: { authorization: 'Bearer token' } }))).toBe('ok');
  });

  it("with cache: 'cache-api', the second call is served from the cache, with progress", async () => {
    const caches = memoryCaches();
    const url = `${base}/cached.bin`;
    const first = await fetchWithProgress(url, { cache: 'cache-api', cacheStorage: caches });
    const progress: FetchProgress[] = [];
    const second = await fetchWithProgress(url, { cache: 'cache-api', cacheStorage: caches, onProgress: (p) => progress.push(p) });
    expect(hits['/cached.bin']).toBe(1);
    expect(same(first, payload) && same(second, payload)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ fromCache: true, loadedBytes: payload.byteLength, totalBytes: payload.byteLength });
  });

  it('never caches failures, and downloads normally where there is no Cache API', async () => {
    const caches = memoryCaches();
    await expect(fetchWithProgress(`${base}/missing.bin`, { cache: 'cache-api', cacheStorage: caches })).rejects.toThrow('HTTP 404');
    expect(caches.stored.size).toBe(0);
    expect((globalThis as { caches?: unknown }).caches).toBeUndefined();
    expect(same(await fetchWithProgress(`${base}/sized.bin`, { cache: 'cache-api' }), payload)).toBe(true);
  });
});
