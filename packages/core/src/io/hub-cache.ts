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
 * Node only (the cache is a folder on disk).
 */
import { UnsupportedError } from '@tunekit/formats';
import { nodeBuiltins } from './hub-settings';

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

function node() {
  const builtins = nodeBuiltins();
  if (!builtins) throw new UnsupportedError('The Hub cache is a folder on disk and needs Node ≥ 20.16');
  return builtins;
}

/** The folder name `huggingface_hub` gives a model repo: `models--org--name`. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** The cache paths of `repoId` under `cacheDir`. */
export function repoCache(cacheDir: string, repoId: string): RepoCache {
  const { path } = node();
  const root = path.join(cacheDir, repoFolderName(repoId));
  return {
    root,
    blob: (etag) => path.join(root, 'blobs', etag),
    snapshot: (commit) => path.join(root, 'snapshots', commit),
    snapshotFile: (commit, filename) => path.join(root, 'snapshots', commit, ...filename.split('/')),
    ref: (revision) => path.join(root, 'refs', ...revision.split('/')),
  };
}

/** True for a full 40-hex commit hash (a revision that never moves). */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** The commit a revision resolves to from the cache alone: itself when a hash, else what `refs/<revision>` says. */
export function cachedCommit(cache: RepoCache, revision: string): string | undefined {
  if (isCommitHash(revision)) return revision;
  try {
    return node().fs.readFileSync(cache.ref(revision), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Records that `revision` points at `commit` (written atomically; a hash needs no ref). */
export function writeRef(cache: RepoCache, revision: string, commit: string): void {
  if (revision === commit) return;
  const { fs, path } = node();
  const file = cache.ref(revision);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, commit);
  fs.renameSync(temporary, file);
}

/**
 * Points `snapshots/<commit>/<filename>` at `blobs/<etag>` with a relative
 * symlink, as huggingface_hub does; where symlinks are not allowed (Windows
 * without developer mode) the blob is copied instead.
 */
export function linkSnapshot(cache: RepoCache, commit: string, filename: string, etag: string): string {
  const { fs, path } = node();
  const pointer = cache.snapshotFile(commit, filename);
  const blob = cache.blob(etag);
  fs.mkdirSync(path.dirname(pointer), { recursive: true });
  fs.rmSync(pointer, { force: true });
  try {
    fs.symlinkSync(path.relative(path.dirname(pointer), blob), pointer);
  } catch {
    fs.copyFileSync(blob, pointer);
  }
  return pointer;
}
