/**
 * Where the Hugging Face Hub is and where its cache lives, read from the same
 * environment variables as Python's `huggingface_hub`, so a model downloaded
 * by Python (or by transformers.js in Node) is found here, and the other way round.
 */

/** Hub settings; every field can be given explicitly or comes from the environment. */
export interface HubSettings {
  /** Hub base URL: `HF_ENDPOINT`, default `https://huggingface.co`. */
  endpoint: string;
  /** The hub cache folder: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  cacheDir: string;
  /** `HF_HUB_OFFLINE=1`: never make a request, use the cache only. */
  offline: boolean;
  /** Access token for gated or private repos: `HF_TOKEN`, else the file `huggingface-cli login` writes. */
  token?: string;
}

/** Explicit overrides of {@link HubSettings}. */
export type HubOverrides = Partial<HubSettings>;

/** Options of {@link hubSettings}: the overrides, and the environment to read (default `process.env`). */
export interface HubSettingsOptions extends HubOverrides {
  /** Environment variables to read instead of `process.env` (for tests). */
  env?: Record<string, string | undefined>;
}

// Type-only imports are erased from the output; the modules load at call time below.
import type * as NodeFs from 'node:fs';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';

type NodeBuiltins = { fs: typeof NodeFs; os: typeof NodeOs; path: typeof NodePath };

/** Node's modules, fetched at call time so that this file can sit in a browser bundle. */
export function nodeBuiltins(): NodeBuiltins | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: NodeJS.Process['getBuiltinModule'] } }).process?.getBuiltinModule;
  if (!getBuiltin) return undefined;
  return { fs: getBuiltin('node:fs'), os: getBuiltin('node:os'), path: getBuiltin('node:path') };
}

/** Truthy like `huggingface_hub`'s `_is_true`: 1, ON, YES, TRUE in any case. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

function expandHome(value: string, node: NodeBuiltins): string {
  return value === '~' || value.startsWith('~/') ? node.path.join(node.os.homedir(), value.slice(1)) : value;
}

function readTokenFile(file: string, node: NodeBuiltins): string | undefined {
  try {
    const token = node.fs.readFileSync(file, 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined; // not logged in: public repos still work
  }
}

/**
 * The Hub settings: explicit `overrides` first, then the environment
 * (`HF_ENDPOINT`, `HF_HUB_CACHE` / `HUGGINGFACE_HUB_CACHE`, `HF_HOME`,
 * `XDG_CACHE_HOME`, `HF_HUB_OFFLINE`, `HF_TOKEN`, `HF_TOKEN_PATH`). Outside Node
 * there is no cache folder and no environment: `cacheDir` is empty.
 */
export function hubSettings(options: HubSettingsOptions = {}): HubSettings {
  const { env = processEnv(), ...overrides } = options;
  const node = nodeBuiltins();
  const endpoint = (overrides.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const offline = overrides.offline ?? isTrue(env.HF_HUB_OFFLINE);
  if (!node) return { endpoint, cacheDir: overrides.cacheDir ?? '', offline, token: overrides.token };
  const home = expandHome(env.HF_HOME ?? node.path.join(env.XDG_CACHE_HOME ?? node.path.join(node.os.homedir(), '.cache'), 'huggingface'), node);
  const cacheDir = expandHome(overrides.cacheDir ?? env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? node.path.join(home, 'hub'), node);
  const token = overrides.token ?? (env.HF_TOKEN || undefined) ?? readTokenFile(expandHome(env.HF_TOKEN_PATH ?? node.path.join(home, 'token'), node), node);
  return { endpoint, cacheDir, offline, token };
}

function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}
