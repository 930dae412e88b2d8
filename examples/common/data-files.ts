/**
 * Finding an example's data file, in order: `--data PATH`, then
 * `$TUNEKIT_DATA_DIR/<name>`, then the `shared/data/` folder beside the
 * repository, then the cache (`$XDG_CACHE_HOME/tunekit` or `~/.cache/tunekit`),
 * and last a download from the public URLs into the cache (written
 * atomically, so an interrupted download never leaves a half file).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { repositoryRoot } from './paths';
import { extractZipEntry } from './zip';

/** A data file an example needs. */
export interface DataFileSpec {
  /** File name in the data folders and the cache, e.g. `SMSSpamCollection.tsv`. */
  name: string;
  /** Public URLs to try in order. */
  urls: readonly string[];
  /** When the download is a zip: the entry holding the file. */
  zipEntry?: string;
}

/** Where to look and how to fetch. */
export interface DataLookup {
  /** An explicit path (`--data`); it must exist. */
  path?: string;
  /** Cache folder. Default `$XDG_CACHE_HOME/tunekit` or `~/.cache/tunekit`. */
  cacheDirectory?: string;
  /** Folders searched before the cache. Default: `$TUNEKIT_DATA_DIR`, then `shared/data` beside the repository. */
  searchDirectories?: readonly string[];
  /** `fetch` for downloads. Default: the global one. */
  fetch?: typeof fetch;
  /** Progress messages. */
  log?: (message: string) => void;
}

/** The default cache folder. */
export function defaultCacheDirectory(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tunekit');
}

/** The folders searched before the cache. */
export function defaultSearchDirectories(): string[] {
  const folders: string[] = [];
  if (process.env.TUNEKIT_DATA_DIR) folders.push(resolve(process.env.TUNEKIT_DATA_DIR));
  const root = repositoryRoot();
  if (root) folders.push(join(dirname(root), 'shared', 'data'));
  return folders;
}

/** Writes bytes to `path` through a temporary file and a rename. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Downloads the first URL that answers, unzipping when asked. */
export async function downloadDataFile(spec: DataFileSpec, fetchImpl: typeof fetch = fetch): Promise<Uint8Array> {
  const failures: string[] = [];
  for (const url of spec.urls) {
    try {
      const response = await fetchImpl(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return spec.zipEntry ? extractZipEntry(bytes, spec.zipEntry, url) : bytes;
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`Could not download ${spec.name}:\n  ${failures.join('\n  ')}\nDownload it yourself and pass --data PATH (or set TUNEKIT_DATA_DIR).`);
}

/** The path of the data file, downloading it into the cache when no copy exists. */
export async function resolveDataFile(spec: DataFileSpec, lookup: DataLookup = {}): Promise<string> {
  const log = lookup.log ?? (() => {});
  if (lookup.path) {
    if (!existsSync(lookup.path)) throw new Error(`--data ${lookup.path}: no such file`);
    return resolve(lookup.path);
  }
  for (const folder of lookup.searchDirectories ?? defaultSearchDirectories()) {
    const candidate = join(folder, spec.name);
    if (existsSync(candidate)) return candidate;
  }
  const cached = join(lookup.cacheDirectory ?? defaultCacheDirectory(), spec.name);
  if (existsSync(cached)) return cached;
  log(`downloading ${spec.name} from ${spec.urls[0]} …`);
  await writeFileAtomic(cached, await downloadDataFile(spec, lookup.fetch));
  log(`saved ${cached}`);
  return cached;
}
