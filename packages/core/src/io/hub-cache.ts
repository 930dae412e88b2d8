/**
 * The Hugging Face hub cache layout, the one `huggingface_hub` writes:
 *
 * ```
 * <cacheDir>/models--<org>--<name>/
 *   blobs/<etag>                     file contents, named by ETag (sha256 for LFS files)
 *   refs/<revision>                  the commit a branch or tag pointed to when last resolved
 *   snapshots/<commit>/<filename>    relative symlink to ../../blobs/<etag>
 * ```
 *
 * Every file operation goes through a {@link HubFiles}, the backend's `FileIO`.
 */
import { joinPath } from './join-path';
import type { HubFiles } from './hub-files';

/** Paths of one repo in the cache. */
export interface RepoCache {
  /** `<cacheDir>/models--org--name`. */
  root: string;
  /** Path of a blob, named by its ETag. */
  blob(etag: string): string;
  /** Path of a file in the snapshot of a commit. */
  snapshotFile(commit: string, filename: string): string;
  /** Folder of the snapshot of a commit. */
  snapshot(commit: string): string;
  /** Path of the ref file of a branch or tag. */
  ref(revision: string): string;
}

/** The folder name `huggingface_hub` gives a model repo: `models--org--name`. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** `folder` joined with the `/`-separated parts of `relative`. */
function under(folder: string, relative: string): string {
  return relative.split('/').reduce(joinPath, folder);
}

/** The cache paths of `repoId` under `cacheDir`. */
export function repoCache(cacheDir: string, repoId: string): RepoCache {
  const root = joinPath(cacheDir, repoFolderName(repoId));
  return {
    root,
    blob: (etag) => under(root, `blobs/${etag}`),
    snapshot: (commit) => under(root, `snapshots/${commit}`),
    snapshotFile: (commit, filename) => under(root, `snapshots/${commit}/${filename}`),
    ref: (revision) => under(root, `refs/${revision}`),
  };
}

/** True for a full 40-hex commit hash (a revision that never moves). */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** The commit a revision resolves to from the cache alone: itself when a hash, else what `refs/<revision>` says. */
export async function cachedCommit(files: HubFiles, cache: RepoCache, revision: string): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  try {
    return new TextDecoder().decode(await files.readFile(cache.ref(revision))).trim() || undefined;
  } catch {
    return undefined; // never resolved online: not cached
  }
}

/** Records that `revision` points at `commit`: the bare hash, no newline, written atomically (a hash needs no ref). */
export async function writeRef(files: HubFiles, cache: RepoCache, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  await files.writeFileAtomic(cache.ref(revision), commit);
}

/** Copies `from` to `to` in chunks (blobs may be larger than memory), through a temporary file renamed into place. */
async function copyFile(files: HubFiles, from: string, to: string): Promise<void> {
  const temporary = `${to}.incomplete`;
  await files.remove(temporary);
  await files.appendChunks(temporary, (await files.openRead(from)).chunks);
  await files.rename(temporary, to);
}

/**
 * Points `snapshots/<commit>/<filename>` at `blobs/<etag>` with a relative
 * symlink, as huggingface_hub does; where the `FileIO` has no symlinks, or
 * the platform refuses them (Windows without developer mode), the blob is
 * copied instead.
 */
export async function linkSnapshot(files: HubFiles, cache: RepoCache, commit: string, filename: string, etag: string): Promise<string> {
  const pointer = cache.snapshotFile(commit, filename);
  const blob = cache.blob(etag);
  await files.remove(pointer);
  const linked = files.symlink !== undefined && (await files.symlink(blob, pointer).then(() => true, () => false));
  if (!linked) await copyFile(files, blob, pointer);
  return pointer;
}
