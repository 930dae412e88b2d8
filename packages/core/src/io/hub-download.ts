/**
 * `hubDownload`: one file of a Hub repo, through the Hugging Face cache, like
 * `huggingface_hub.hf_hub_download`: a HEAD request resolves the revision to
 * a commit and the file to an ETag; a blob already cached under that ETag is
 * reused, otherwise it is downloaded (resuming a partial `.incomplete` file
 * with a Range request), checked, and renamed into place.
 */
import { TunekitError, UnsupportedError } from '@tunekit/formats';
import type { FileHandle } from 'node:fs/promises';
import { FetchError, describeError } from './fetch-error';
import { fetchStream, type ProgressCallback } from './fetch-stream';
import { cachedCommit, isCommitHash, linkSnapshot, repoCache, writeRef, type RepoCache } from './hub-cache';
import { HubError } from './hub-error';
import { hubSettings, nodeBuiltins, type HubOverrides, type HubSettings } from './hub-settings';

/** Options of {@link hubDownload}. */
export interface HubDownloadOptions extends HubOverrides {
  /** The repo, e.g. `openai-community/gpt2`. */
  repoId: string;
  /** The file's path in the repo, e.g. `config.json`. */
  filename: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** Download progress (not called when the file comes from the cache). */
  onProgress?: ProgressCallback;
}

/** A file in the cache. */
export interface HubFile {
  /** Path of the file in the snapshot folder. */
  path: string;
  /** The commit the revision resolved to. */
  commit: string;
  /** True when no bytes were downloaded. */
  fromCache: boolean;
}

interface FileMetadata {
  commit: string;
  etag: string;
  size?: number;
  /** Where the bytes are: the resolve URL, or the CDN URL it redirects to. */
  location: string;
}

function fileUrl(settings: HubSettings, repoId: string, revision: string, filename: string): string {
  const path = filename.split('/').map(encodeURIComponent).join('/');
  return `${settings.endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}

function authHeaders(settings: HubSettings): Record<string, string> {
  return settings.token ? { authorization: `Bearer ${settings.token}` } : {};
}

/** An ETag as a file name: without `W/` and quotes, as huggingface_hub stores it. */
function normalizeEtag(value: string | null): string | undefined {
  const etag = value?.replace(/^W\//, '').replace(/^"|"$/g, '');
  return etag && /^[\w.-]+$/.test(etag) ? etag : undefined;
}

function httpError(repoId: string, filename: string, url: string, status: number, statusText: string): HubError {
  const tried = `Tried the Hugging Face Hub for ${repoId}: ${url} answered HTTP ${status} ${statusText}`.trim() + '.';
  if (status === 401 || status === 403) {
    return new HubError('hub_unauthorized', repoId, filename, tried, { fix: 'The repo is gated or private: accept its terms on the Hub and set HF_TOKEN (or pass `token`).' });
  }
  if (status === 404) {
    return new HubError('hub_not_found', repoId, filename, tried, { fix: 'Check the repo id, the revision and that the repo has this file; for a local folder give its path (./models/...).' });
  }
  return new HubError('hub_failed', repoId, filename, tried);
}

/** HEAD the resolve URL, following the Hub's relative redirects (renamed repos) but not the CDN one. */
async function headMetadata(url: string, repoId: string, filename: string, settings: HubSettings, fetchImpl: typeof fetch): Promise<FileMetadata> {
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    let response: Response;
    try {
      response = await fetchImpl(current, { method: 'HEAD', redirect: 'manual', headers: { ...authHeaders(settings), 'accept-encoding': 'identity' } });
    } catch (error) {
      throw new FetchError(current, describeError(error), { cause: error });
    }
    const location = response.headers.get('location');
    const isRedirect = response.status >= 300 && response.status < 400 && location !== null;
    if (isRedirect && location.startsWith('/')) {
      current = new URL(location, current).toString();
      continue;
    }
    if (!isRedirect && !response.ok) throw httpError(repoId, filename, current, response.status, response.statusText);
    const commit = response.headers.get('x-repo-commit');
    const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
    if (!commit || !isCommitHash(commit) || !etag) {
      throw new HubError('hub_failed', repoId, filename, `${current} did not answer like the Hugging Face Hub (no X-Repo-Commit or ETag header).`, {
        fix: `Check HF_ENDPOINT (now ${settings.endpoint}).`,
      });
    }
    const sizeHeader = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
    const size = sizeHeader === null ? undefined : Number(sizeHeader);
    return { commit, etag, size: Number.isSafeInteger(size) ? size : undefined, location: isRedirect ? new URL(location, current).toString() : current };
  }
  throw new HubError('hub_failed', repoId, filename, `Tried the Hugging Face Hub for ${repoId}: too many redirects from ${url}.`);
}

function fileSize(path: string): number | undefined {
  try {
    return nodeBuiltins()?.fs.statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Writes all of `chunk` (a file handle's write may write less without throwing). */
async function writeFully(handle: FileHandle, chunk: Uint8Array, path: string): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    if (bytesWritten <= 0) throw new TunekitError('disk_full', `Cannot write ${path}: the disk accepted no more bytes (full?)`);
    offset += bytesWritten;
  }
}

/** The sha256 of a file in hex (an LFS file's ETag is its sha256). */
async function sha256File(path: string): Promise<string> {
  const getBuiltin = process.getBuiltinModule;
  const { createHash } = getBuiltin('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of getBuiltin('node:fs').createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

/**
 * Downloads `metadata.location` into `blobs/<etag>`: appends to the
 * `.incomplete` file of an interrupted download when the server honours the
 * Range request, checks size (and sha256 for LFS files), then renames.
 */
async function downloadBlob(cache: RepoCache, metadata: FileMetadata, settings: HubSettings, options: HubDownloadOptions): Promise<void> {
  const { fs, path } = nodeBuiltins() ?? (() => { throw new UnsupportedError('The Hub cache needs Node'); })();
  const blob = cache.blob(metadata.etag);
  const incomplete = `${blob}.incomplete`;
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  let start = fileSize(incomplete) ?? 0;
  if (metadata.size !== undefined && start > metadata.size) start = 0;
  // The token goes only to the Hub itself, never to the CDN it redirects to
  // (the CDN URL is signed).
  const sameOrigin = new URL(metadata.location).origin === new URL(settings.endpoint).origin;
  const headers: Record<string, string> = { ...(sameOrigin ? authHeaders(settings) : {}), 'accept-encoding': 'identity' };
  if (start > 0) headers.range = `bytes=${start}-`;
  const { response, chunks } = await fetchStream(metadata.location, { fetch: options.fetch, headers });
  if (response.status !== 206) start = 0; // the server sent the whole file: start over
  const handle = await fs.promises.open(incomplete, start > 0 ? 'a' : 'w');
  let loadedBytes = start;
  try {
    options.onProgress?.({ file: metadata.location, loadedBytes, totalBytes: metadata.size });
    for await (const chunk of chunks) {
      await writeFully(handle, chunk, incomplete);
      loadedBytes += chunk.byteLength;
      options.onProgress?.({ file: metadata.location, loadedBytes, totalBytes: metadata.size });
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (metadata.size !== undefined && loadedBytes !== metadata.size) {
    throw new FetchError(metadata.location, `download ended after ${loadedBytes} of ${metadata.size} bytes (kept in ${incomplete}; the next try resumes)`);
  }
  if (/^[0-9a-f]{64}$/.test(metadata.etag)) {
    const actual = await sha256File(incomplete);
    if (actual !== metadata.etag) {
      fs.rmSync(incomplete, { force: true });
      throw new FetchError(metadata.location, `the downloaded bytes have sha256 ${actual}, not the ${metadata.etag} the Hub announced (removed; try again)`);
    }
  }
  fs.renameSync(incomplete, blob);
}

function fromCacheOnly(cache: RepoCache, repoId: string, filename: string, revision: string, why: string, cause?: unknown): HubFile {
  const commit = cachedCommit(cache, revision);
  const path = commit && cache.snapshotFile(commit, filename);
  if (commit && path && fileSize(path) !== undefined) return { path, commit, fromCache: true };
  throw new HubError('hub_not_cached', repoId, filename, `${why}, and ${repoId}/${filename} at revision ${revision} is not in the Hub cache (${cache.root}).`, {
    fix: 'Download it once while online (unset HF_HUB_OFFLINE), or point HF_HUB_CACHE / HF_HOME at the cache that has it.',
    cause,
  });
}

/**
 * One file of a Hub repo as a path in the Hugging Face cache, downloading it
 * when the cache does not have the revision's current version. Offline
 * (`HF_HUB_OFFLINE=1`) or when the Hub cannot be reached, the cached
 * snapshot of the revision is used.
 */
export async function hubDownload(options: HubDownloadOptions): Promise<HubFile> {
  const { repoId, filename } = options;
  const settings = hubSettings(options);
  const revision = options.revision ?? 'main';
  const cache = repoCache(settings.cacheDir, repoId);
  if (settings.offline) return fromCacheOnly(cache, repoId, filename, revision, 'HF_HUB_OFFLINE is set');
  const url = fileUrl(settings, repoId, revision, filename);
  let metadata: FileMetadata;
  try {
    metadata = await headMetadata(url, repoId, filename, settings, options.fetch ?? fetch);
  } catch (error) {
    // Unreachable (no status): like huggingface_hub, fall back to the cache.
    if (error instanceof FetchError && error.status === undefined) {
      return fromCacheOnly(cache, repoId, filename, revision, `Tried the Hugging Face Hub for ${repoId} and could not reach it (${error.message})`, error);
    }
    throw error;
  }
  const blob = cache.blob(metadata.etag);
  const cached = fileSize(blob);
  const fromCache = cached !== undefined && (metadata.size === undefined || cached === metadata.size);
  if (!fromCache) {
    try {
      await downloadBlob(cache, metadata, settings, options);
    } catch (error) {
      if (error instanceof HubError) throw error;
      throw new HubError('hub_failed', repoId, filename, `Tried the Hugging Face Hub for ${repoId}: ${(error as Error).message}`, { cause: error });
    }
  }
  writeRef(cache, revision, metadata.commit);
  return { path: linkSnapshot(cache, metadata.commit, filename, metadata.etag), commit: metadata.commit, fromCache };
}
