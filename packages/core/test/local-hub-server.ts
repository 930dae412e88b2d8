// A Hugging Face Hub stand-in on 127.0.0.1 for the Hub cache tests: the
// `resolve/<revision>/<file>` layout with X-Repo-Commit and ETag headers,
// LFS files redirected (absolute URL, like the Hub's CDN) to a blob server
// that honours Range requests, renamed repos redirected relatively, gated
// repos that want a token, and a switch that breaks a download off midway.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One repo as the server serves it. */
export interface HubRepo {
  commit: string;
  files: Record<string, Uint8Array>;
  /** Files served through the LFS redirect (ETag = sha256). */
  lfs?: string[];
  /** Needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Old id → relative redirect to this repo (a renamed repo). */
  renamedFrom?: string;
}

/** A request the server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  status: number;
}

/** The running server. */
export interface LocalHub {
  endpoint: string;
  repos: Map<string, HubRepo>;
  requests: SeenRequest[];
  /** When set, the next blob GET sends this many bytes and then drops the connection. */
  breakNextBlobAfter?: number;
  close(): Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const gitSha1 = (bytes: Uint8Array) => createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');

/** Starts the server with the given repos (id → repo). */
export async function startLocalHub(repos: Record<string, HubRepo>): Promise<LocalHub> {
  const hub: LocalHub = { endpoint: '', repos: new Map(Object.entries(repos)), requests: [], close: async () => undefined };
  const blobs = () => {
    const all = new Map<string, Uint8Array>();
    for (const repo of hub.repos.values()) for (const name of repo.lfs ?? []) if (repo.files[name]) all.set(sha256(repo.files[name]), repo.files[name]);
    return all;
  };

  function serveBlob(request: IncomingMessage, response: ServerResponse, body: Uint8Array): number {
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    if (start >= body.byteLength && body.byteLength > 0) {
      response.writeHead(416, { 'content-range': `bytes */${body.byteLength}` }).end();
      return 416;
    }
    const part = body.subarray(start);
    const status = match ? 206 : 200;
    response.writeHead(status, {
      'content-length': part.byteLength,
      etag: `"${sha256(body)}"`,
      'accept-ranges': 'bytes',
      ...(match ? { 'content-range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}` } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return status;
    }
    const breakAfter = hub.breakNextBlobAfter;
    if (breakAfter !== undefined) {
      hub.breakNextBlobAfter = undefined;
      // Half-close after the bytes (FIN, not a destroy()'s possible RST). The
      // client may still keep fewer of them: see the resume test.
      response.write(part.subarray(0, breakAfter), () => response.socket?.end());
      return status;
    }
    response.end(part);
    return status;
  }

  function handle(request: IncomingMessage, response: ServerResponse): number {
    const url = new URL(request.url ?? '/', hub.endpoint);
    const blob = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (blob) {
      const body = blobs().get(blob[1] as string);
      if (!body) return response.writeHead(404).end(), 404;
      return serveBlob(request, response, body);
    }
    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!resolve) return response.writeHead(404).end(), 404;
    const [, repoId, revision, file] = resolve.map((part) => decodeURIComponent(part ?? '')) as [string, string, string, string];
    for (const [id, repo] of hub.repos) {
      if (repo.renamedFrom === repoId) {
        response.writeHead(307, { location: `/${id}/resolve/${encodeURIComponent(revision)}/${file}` }).end();
        return 307;
      }
    }
    const repo = hub.repos.get(repoId);
    if (!repo) return response.writeHead(404, 'Repository Not Found').end(), 404;
    if (repo.token && request.headers.authorization !== `Bearer ${repo.token}`) return response.writeHead(401, 'Unauthorized').end(), 401;
    if (revision !== 'main' && revision !== repo.commit) return response.writeHead(404, 'Revision Not Found').end(), 404;
    const body = repo.files[file];
    if (!body) return response.writeHead(404, 'Entry Not Found').end(), 404;
    if (repo.lfs?.includes(file)) {
      response.writeHead(302, {
        location: `${hub.endpoint}/cdn/${sha256(body)}`,
        'x-repo-commit': repo.commit,
        'x-linked-etag': `"${sha256(body)}"`,
        'x-linked-size': body.byteLength,
        etag: `"${gitSha1(new TextEncoder().encode(sha256(body)))}"`,
      }).end();
      return 302;
    }
    response.writeHead(200, { 'content-length': body.byteLength, 'x-repo-commit': repo.commit, etag: `"${gitSha1(body)}"` });
    response.end(request.method === 'HEAD' ? undefined : body);
    return 200;
  }

  const server: Server = createServer((request, response) => {
    const status = handle(request, response);
    hub.requests.push({ method: request.method ?? '', url: request.url ?? '', range: request.headers.range, status });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return hub;
}
