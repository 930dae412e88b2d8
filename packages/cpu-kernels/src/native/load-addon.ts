/**
 * Finds and loads the compiled addon once. Never throws: a missing or
 * broken binary becomes `{ addon: undefined, reason }` with one actionable
 * line, so callers can fall back to stock kernels.
 *
 * `TUNEKIT_DISABLE_NATIVE=1` makes the loader report the addon as
 * unavailable without touching it (to test fallbacks, or to rule the native
 * code out when chasing a problem).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon-types';

const PACKAGE_NAME = '@tunekit/cpu-kernels';
const BINARY = join('build', 'Release', 'tunekit_cpu_kernels.node');

/** Result of loading: the addon, or why there is none. */
export interface LoadResult {
  addon?: NativeAddon;
  reason?: string;
}

let cached: LoadResult | undefined;

/** This package's root: the nearest folder above this module whose package.json is ours (src/ in tests, dist/ when built). */
function packageRoot(): string | undefined {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return directory;
      } catch {
        // an unreadable package.json is not ours; keep looking
      }
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}

function isDisabled(): boolean {
  const flag = process.env.TUNEKIT_DISABLE_NATIVE;
  return flag !== undefined && flag !== '' && flag !== '0' && flag.toLowerCase() !== 'false';
}

function load(): LoadResult {
  if (typeof process === 'undefined' || !process.versions?.node) return { reason: 'native kernels need Node.js' };
  if (isDisabled()) return { reason: 'disabled by TUNEKIT_DISABLE_NATIVE' };
  const root = packageRoot();
  if (!root) return { reason: `cannot locate the ${PACKAGE_NAME} package folder` };
  const path = join(root, BINARY);
  if (!existsSync(path)) {
    return { reason: `native addon not built (no ${BINARY}): install a C++ compiler and run \`npm rebuild ${PACKAGE_NAME}\`` };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon?.matmul !== 'function') return { reason: `${path} is not the tunekit addon` };
    return { addon };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    return { reason: `native addon failed to load (${message}); rebuild it: \`npm rebuild ${PACKAGE_NAME}\`` };
  }
}

/** Loads the addon on first call; later calls return the same result. */
export function loadAddon(): LoadResult {
  cached ??= load();
  return cached;
}
