/**
 * A tiny static file server for the built demo (node:http, no dependency):
 * enough for a browser to load the page, its chunks and the wasm binaries.
 * Binds to 127.0.0.1, which browsers treat as a secure context (WebGPU
 * is only exposed to secure contexts). It sends the same cross-origin
 * isolation headers as Vite's servers, and counts the requests per path (the
 * test checks that a cached model is not downloaded again).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { ISOLATION_HEADERS } from '../vite.config';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A running server and how to stop it. */
export interface StaticServer {
  /** Base URL, ending with `/`. */
  url: string;
  /** How many times each path was requested. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

/** The folder a path is served from: a mount's (`{ '/models/tiny/': folder }`) or `root`. */
function locate(path: string, root: string, mounts: Record<string, string>): { folder: string; rest: string } {
  const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
  return prefix ? { folder: mounts[prefix]!, rest: path.slice(prefix.length - 1) } : { folder: root, rest: path };
}

/** Serves `root` (and each mount's folder under its URL prefix) on a free port of 127.0.0.1. */
export async function serveFolder(root: string, mounts: Record<string, string> = {}): Promise<StaticServer> {
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      requests.set(path, (requests.get(path) ?? 0) + 1);
      const { folder, rest } = locate(path, root, mounts);
      const file = normalize(join(folder, rest.endsWith('/') ? `${rest}index.html` : rest));
      // Never serve outside the folder.
      if (file !== folder && !file.startsWith(folder.endsWith(sep) ? folder : folder + sep)) {
        response.writeHead(403).end();
        return;
      }
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        response.writeHead(404).end(`not found: ${path}`);
        return;
      }
      response.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size });
      createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
