// A `fetch` that answers like the Hugging Face Hub without a network: HEAD on
// `resolve/<revision>/<file>` gives X-Repo-Commit and the ETag (LFS files
// redirect to a CDN on another origin, ETag = sha256), GET on the CDN honours
// Range requests. Switches make it send damaged bytes, break off midway, or
// be unreachable. Every request is recorded with its Range and Authorization.
import { createHash } from 'node:crypto';

/** A request the fake saw. */
export interface FakeRequest {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
  status?: number;
}

/** The fake and its switches. */
export interface FakeHub {
  endpoint: string;
  fetch: typeof fetch;
  requests: FakeRequest[];
  /** The next blob GET sends this many bytes and then fails. */
  breakNextBlobAfter?: number;
  /** Blob GETs send the file with its first byte changed (same length). */
  damaged?: boolean;
  /** Every request fails as when the host cannot be reached. */
  unreachable?: boolean;
}

const ENDPOINT = 'https://hub.test';
const CDN = 'https://cdn.test';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A Hub with one repo at `commit`; files in `lfs` go through the CDN. */
export function fakeHub(repo: { id: string; commit: string; files: Record<string, Uint8Array>; lfs: string[] }): FakeHub {
  const blobs = new Map(repo.lfs.map((name) => [sha256(repo.files[name]!), repo.files[name]!]));
  const hub: FakeHub = { endpoint: ENDPOINT, requests: [], fetch: undefined as unknown as typeof fetch };

  /** The file a resolve URL names, at `main` or the commit. */
  function resolved(url: URL): { name: string; bytes: Uint8Array } | undefined {
    const prefix = `/${repo.id}/resolve/`;
    if (!url.pathname.startsWith(prefix)) return undefined;
    const [revision, ...rest] = url.pathname.slice(prefix.length).split('/');
    const name = rest.join('/');
    const bytes = revision === 'main' || revision === repo.commit ? repo.files[name] : undefined;
    return bytes && { name, bytes };
  }

  function head(url: URL): Response {
    const file = resolved(url);
    if (!file) return new Response(null, { status: 404, statusText: 'Entry Not Found' });
    const headers: Record<string, string> = { 'x-repo-commit': repo.commit };
    if (!repo.lfs.includes(file.name)) {
      // A git blob's ETag: 40 hex digits, not a sha256, so not hash-checked.
      return new Response(null, { status: 200, headers: { ...headers, etag: `"${sha256(file.bytes).slice(0, 40)}"`, 'content-length': String(file.bytes.byteLength) } });
    }
    const etag = sha256(file.bytes);
    return new Response(null, { status: 302, headers: { ...headers, location: `${CDN}/${etag}`, 'x-linked-etag': `"${etag}"`, 'x-linked-size': String(file.bytes.byteLength) } });
  }

  function get(url: URL, range: string | undefined): Response {
    const whole = url.origin === CDN ? blobs.get(url.pathname.slice(1)) : resolved(url)?.bytes;
    if (!whole) return new Response(null, { status: 404, statusText: 'Not Found' });
    const bytes = hub.damaged ? Uint8Array.from(whole, (v, i) => (i === 0 ? v ^ 1 : v)) : whole;
    const start = range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
    const body = bytes.slice(start);
    const cut = hub.breakNextBlobAfter;
    hub.breakNextBlobAfter = undefined;
    // The first read gets the bytes (all, or up to the break); the second ends the body or fails it.
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(cut === undefined ? body : body.slice(0, cut));
        } else if (cut === undefined) {
          controller.close();
        } else {
          controller.error(new TypeError('connection reset (simulated)'));
        }
      },
    });
    const headers = { 'content-length': String(body.byteLength) };
    return start > 0
      ? new Response(stream, { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}` } })
      : new Response(stream, { status: 200, headers });
  }

  hub.fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const seen: FakeRequest = { method: init?.method ?? 'GET', url: url.toString(), range: headers.get('range') ?? undefined, authorization: headers.get('authorization') ?? undefined };
    hub.requests.push(seen);
    if (hub.unreachable) throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND hub.test'), { code: 'ENOTFOUND' }) });
    const response = seen.method === 'HEAD' ? head(url) : get(url, seen.range);
    seen.status = response.status;
    return response;
  };
  return hub;
}
