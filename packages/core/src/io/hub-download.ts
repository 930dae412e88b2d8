/**
 * `hubDownload`: one file of a Hub repo, through the Hugging Face cache, like
 * `huggingface_hub.hf_hub_download`: a HEAD request resolves the revision to
 * a commit and the file to an ETag; a blob already cached under that ETag is
 * reused, otherwise it is downloaded (resuming a partial `.incomplete` file
 * with a Range request), checked, and renamed into place.
 */
import { TunekitError, UnsupportedError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';
import { resolveFiles } from '../backend/default-backend';
import { FetchError, describeError } from './fetch-error';
import { fetchStream, type ProgressCallback } from './fetch-stream';
import { cachedCommit, isCommitHash, linkSnapshot, repoCache, writeRef, type RepoCache } from './hub-cache';
import { HubError } from './hub-error';
import { hubFiles, type HubFiles } from './hub-files';
import { hubSettings, type HubOverrides, type HubSettings } from './hub-settings';

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
  /**
   * File access the cache is read and written through (default: the default
   * backend's, Node's file system in Node). It needs the optional `fileSize`,
   * `appendChunks`, `openRead` and `sha256` members, and uses `symlink` and
   * `resolvePath` when present.
   */
  files?: FileIO;
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
  return new HubError('hub_failed', repoId, filename, tried, { fix: `Try again later (the Hub may be down or limiting requests); check HF_ENDPOINT (now ${new URL(url).origin}).` });
}

/** HEAD the resolve URL, following the Hub's relative redirects (renamed repos) but not the CDN one. */
async function headMetadata(url: string, repoId: string, filename: string, settings: HubSettings, fetchImpl: typeof fetch): Promise<FileMetadata> {
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    let response: Response;
    try {
      response = await fetchImpl(current, { method: 'HEAD', redirect: 'manual', headers: { ...authHeaders(settings), 'accept-encoding': 'identity' } });
    } catch (error) {
      throw new FetchError(current, describeError(error), { fix: `Check the connection and HF_ENDPOINT (now ${settings.endpoint}).`, cause: error });
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
  throw new HubError('hub_failed', repoId, filename, `Tried the Hugging Face Hub for ${repoId}: too many redirects from ${url}.`, {
    fix: `Check HF_ENDPOINT (now ${settings.endpoint}) and the repo id.`,
  });
}

/** `chunks`, calling `onProgress` after each one is consumed (written), counting from `start`. */
async function* reportingProgress(chunks: AsyncIterable<Uint8Array>, file: string, start: number, totalBytes: number | undefined, onProgress?: ProgressCallback): AsyncGenerator<Uint8Array> {
  let loadedBytes = start;
  onProgress?.({ file, loadedBytes, totalBytes });
  for await (const chunk of chunks) {
    yield chunk;
    loadedBytes += chunk.byteLength;
    onProgress?.({ file, loadedBytes, totalBytes });
  }
}

/**
 * Downloads `metadata.location` into `blobs/<etag>`: appends to the
 * `.incomplete` file of an interrupted download when the server honours the
 * Range request, checks size (and sha256 for LFS files), then renames.
 */
async function downloadBlob(files: HubFiles, cache: RepoCache, metadata: FileMetadata, settings: HubSettings, options: HubDownloadOptions): Promise<void> {
  const blob = cache.blob(metadata.etag);
  const incomplete = `${blob}.incomplete`;
  let start = (await files.fileSize(incomplete)) ?? 0;
  if (metadata.size !== undefined && start > metadata.size) start = 0;
  // The token goes only to the Hub itself, never to the CDN it redirects to
  // (the CDN URL is signed).
  const sameOrigin = new URL(metadata.location).origin === new URL(settings.endpoint).origin;
  const headers: Record<string, string> = { ...(sameOrigin ? authHeaders(settings) : {}), 'accept-encoding': 'identity' };
  if (start > 0) headers.range = `bytes=${start}-`;
  const { response, chunks } = await fetchStream(metadata.location, { fetch: options.fetch, headers });
  if (response.status !== 206) start = 0; // the server sent the whole file: start over
  if (start === 0) await files.remove(incomplete);
  // Appended as they arrive: bytes written before a failure stay for the next try.
  await files.appendChunks(incomplete, reportingProgress(chunks, metadata.location, start, metadata.size, options.onProgress));
  const written = (await files.fileSize(incomplete)) ?? 0;
  if (metadata.size !== undefined && written !== metadata.size) {
    throw new FetchError(metadata.location, `download ended after ${written} of ${metadata.size} bytes (kept in ${incomplete}; the next try resumes)`, {
      fix: 'Run it again: the download resumes from the bytes kept.',
    });
  }
  if (/^[0-9a-f]{64}$/.test(metadata.etag)) {
    const actual = await files.sha256(incomplete);
    if (actual !== metadata.etag) {
      await files.remove(incomplete);
      throw new FetchError(metadata.location, `the downloaded bytes have sha256 ${actual}, not the ${metadata.etag} the Hub announced (removed)`, {
        fix: 'Run it again to download the file afresh; if it keeps failing, the server (HF_ENDPOINT) sends damaged files.',
      });
    }
  }
  await files.rename(incomplete, blob);
}

async function fromCacheOnly(files: HubFiles, cache: RepoCache, repoId: string, filename: string, revision: string, why: string, cause?: unknown): Promise<HubFile> {
  const commit = await cachedCommit(files, cache, revision);
  const path = commit && cache.snapshotFile(commit, filename);
  if (commit && path && (await files.fileSize(path)) !== undefined) return { path, commit, fromCache: true };
  throw new HubError('hub_not_cached', repoId, filename, `${why}, and ${repoId}/${filename} at revision ${revision} is not in the Hub cache (${cache.root}).`, {
    fix: 'Download it once while online (unset HF_HUB_OFFLINE), or point HF_HUB_CACHE / HF_HOME at the cache that has it.',
    cause,
  });
}

/** `error`'s message without the fix that TunekitError appends to it. */
function withoutFix(error: Error): string {
  const fix = error instanceof TunekitError ? error.fix : undefined;
  return fix && error.message.endsWith(` ${fix}`) ? error.message.slice(0, -fix.length - 1) : error.message;
}

/**
 * A failed download as a {@link HubError} that says the Hub was tried.
 * Errors that already say what to do about the disk or the file access
 * (`FileWriteError` on a full disk, `UnsupportedError`) pass unchanged.
 */
function downloadError(error: unknown, repoId: string, filename: string): unknown {
  if (error instanceof TunekitError && !(error instanceof FetchError)) return error;
  const fix = (error instanceof TunekitError && error.fix) || 'Check the connection (and HF_ENDPOINT), then run it again: an interrupted download resumes.';
  return new HubError('hub_failed', repoId, filename, `Tried the Hugging Face Hub for ${repoId}: ${withoutFix(error as Error)}`, { fix, cause: error });
}

/**
 * One file of a Hub repo as a path in the Hugging Face cache, downloading it
 * when the cache does not have the revision's current version. Offline
 * (`HF_HUB_OFFLINE=1`) or when the Hub cannot be reached, the cached
 * snapshot of the revision is used. The cache is read and written only
 * through `options.files` (a `FileIO`), in the layout `huggingface_hub` writes.
 */
export async function hubDownload(options: HubDownloadOptions): Promise<HubFile> {
  const { repoId, filename } = options;
  const files = hubFiles(resolveFiles(options.files));
  const settings = await hubSettings({ endpoint: options.endpoint, cacheDir: options.cacheDir, offline: options.offline, token: options.token, files });
  if (!settings.cacheDir) {
    throw new UnsupportedError('The Hugging Face Hub cache folder is unknown: HF_HUB_CACHE and HF_HOME are not set, and the file access cannot tell where the home folder (~) is.', {
      fix: 'Set HF_HUB_CACHE (or HF_HOME), or pass { cacheDir }.',
    });
  }
  const revision = options.revision ?? 'main';
  const cache = repoCache(settings.cacheDir, repoId);
  if (settings.offline) return fromCacheOnly(files, cache, repoId, filename, revision, 'HF_HUB_OFFLINE is set');
  const url = fileUrl(settings, repoId, revision, filename);
  let metadata: FileMetadata;
  try {
    metadata = await headMetadata(url, repoId, filename, settings, options.fetch ?? fetch);
  } catch (error) {
    // Unreachable (no status): like huggingface_hub, fall back to the cache.
    if (error instanceof FetchError && error.status === undefined) {
      return fromCacheOnly(files, cache, repoId, filename, revision, `Tried the Hugging Face Hub for ${repoId} and could not reach it (${withoutFix(error)})`, error);
    }
    throw error;
  }
  const cached = await files.fileSize(cache.blob(metadata.etag));
  const fromCache = cached !== undefined && (metadata.size === undefined || cached === metadata.size);
  if (!fromCache) {
    try {
      await downloadBlob(files, cache, metadata, settings, options);
    } catch (error) {
      throw downloadError(error, repoId, filename);
    }
  }
  await writeRef(files, cache, revision, metadata.commit);
  return { path: await linkSnapshot(files, cache, metadata.commit, filename, metadata.etag), commit: metadata.commit, fromCache };
}
