/**
 * Where the Hugging Face Hub is and where its cache lives, read from the same
 * environment variables as Python's `huggingface_hub`, so a model downloaded
 * by Python (or by transformers.js in Node) is found here, and the other way
 * round. The home folder and the token file come through a `FileIO`.
 */
import { isNodeRuntime } from '@tunekit/backend-spec';
import type { FileIO } from '../backend/backend-spec';
import { defaultFiles } from '../backend/default-backend';
import { joinPath } from './join-path';

/** Hub settings; every field can be given explicitly or comes from the environment. */
export interface HubSettings {
  /** Hub base URL: `HF_ENDPOINT`, default `https://huggingface.co`. */
  endpoint: string;
  /**
   * The hub cache folder: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else
   * `~/.cache/huggingface/hub`. Empty when it cannot be known: no file access
   * here (a browser), or a `FileIO` without `resolvePath` and none of those
   * variables set.
   */
  cacheDir: string;
  /** `HF_HUB_OFFLINE=1`: never make a request, use the cache only. */
  offline: boolean;
  /** Access token for gated or private repos: `HF_TOKEN`, else the file `huggingface-cli login` writes. */
  token?: string;
}

/** Explicit overrides of {@link HubSettings}. */
export type HubOverrides = Partial<HubSettings>;

/** Options of {@link hubSettings}: the overrides, the environment, and the file access. */
export interface HubSettingsOptions extends HubOverrides {
  /** Environment variables to read instead of `process.env` (for tests). */
  env?: Record<string, string | undefined>;
  /**
   * Where `~` and the token file are read: default the default backend's
   * files in Node (Node's file system), none elsewhere.
   */
  files?: FileIO;
}

/** Truthy like `huggingface_hub`'s `_is_true`: 1, ON, YES, TRUE in any case. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

/** `value` with a leading `~` made the home folder (like Python's `expanduser`); undefined when `files` cannot tell where home is. */
async function expandHome(value: string, files: FileIO | undefined): Promise<string | undefined> {
  const home = value === '~' || value.startsWith('~/') || value.startsWith('~\\');
  if (!home) return value;
  return files?.resolvePath ? files.resolvePath(value) : undefined;
}

async function readTokenFile(file: string | undefined, files: FileIO | undefined): Promise<string | undefined> {
  if (file === undefined || !files) return undefined;
  try {
    const token = new TextDecoder().decode(await files.readFile(file)).trim();
    return token || undefined;
  } catch {
    return undefined; // not logged in: public repos still work
  }
}

/**
 * The Hub settings: explicit overrides first, then the environment
 * (`HF_ENDPOINT`, `HF_HUB_CACHE` / `HUGGINGFACE_HUB_CACHE`, `HF_HOME`,
 * `XDG_CACHE_HOME`, `HF_HUB_OFFLINE`, `HF_TOKEN`, `HF_TOKEN_PATH`). Never
 * throws: what cannot be known (no file access, so no home folder) is left
 * empty, and {@link hubDownload} says so when it needs it.
 */
export async function hubSettings(options: HubSettingsOptions = {}): Promise<HubSettings> {
  const { env = processEnv(), files = isNodeRuntime() ? defaultFiles() : undefined, ...overrides } = options;
  const endpoint = (overrides.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const offline = overrides.offline ?? isTrue(env.HF_HUB_OFFLINE);
  // As huggingface_hub/constants.py: HF_HOME defaults to $XDG_CACHE_HOME/huggingface, XDG_CACHE_HOME to ~/.cache.
  const xdgCache = env.XDG_CACHE_HOME ?? '~/.cache';
  const home = await expandHome(env.HF_HOME ?? joinPath(xdgCache, 'huggingface'), files);
  const cacheSetting = overrides.cacheDir ?? env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? (home === undefined ? undefined : joinPath(home, 'hub'));
  const cacheDir = (cacheSetting === undefined ? undefined : await expandHome(cacheSetting, files)) ?? '';
  const tokenPath = env.HF_TOKEN_PATH ?? (home === undefined ? undefined : joinPath(home, 'token'));
  const token = overrides.token ?? (env.HF_TOKEN || undefined) ?? (await readTokenFile(tokenPath && (await expandHome(tokenPath, files)), files));
  return { endpoint, cacheDir, offline, token };
}

function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}
