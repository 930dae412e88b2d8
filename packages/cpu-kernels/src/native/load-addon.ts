/**
 * Finds and loads the compiled addon once. Never throws: a missing or
 * broken binary becomes `{ addon: undefined, reason }` with one actionable
 * line, so callers can fall back to stock kernels.
 *
 * Two binaries can exist:
 *  - the prebuilt one shipped in the package for this platform
 *    (`prebuilds/<platform>-<arch>/node.napi[.glibc|.musl].node`,
 *    prebuildify's layout; built by scripts/build-prebuilt.mjs);
 *  - one compiled at install time (`build/Release/…`).
 * The install script compiles only when the prebuilt binary does not load
 * and compute here, or when asked to (`--build-from-source`), so a compiled
 * binary, when present, is the one wanted and is tried first (in the
 * monorepo it is also the one built from the current sources, where a
 * prebuilt one may be stale). Installed from npm on a platform with a
 * prebuilt binary, that is the only one. `TUNEKIT_NATIVE_BINARY=prebuilt|compiled`
 * restricts the search to one (to test either, or to rule one out).
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
/** Where an install-time build puts the binary (relative to the package folder). */
export const COMPILED_BINARY_PATH = join('build', 'Release', 'tunekit_cpu_kernels.node');

/** Where a loaded binary came from. */
export type BinarySource = 'prebuilt' | 'compiled';

/** Result of loading: the addon and where it came from, or why there is none. */
export interface LoadResult {
  addon?: NativeAddon;
  source?: BinarySource;
  reason?: string;
}

/** glibc or musl on Linux (musl's Node reports no glibc version), undefined elsewhere. */
function libc(): 'glibc' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** The prebuilt binary's path for this platform; must match scripts/native-build-config.mjs. */
export function prebuiltBinaryPath(): string {
  const flavour = libc();
  return join('prebuilds', `${process.platform}-${process.arch}`, flavour ? `node.napi.${flavour}.node` : 'node.napi.node');
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

/** The sources TUNEKIT_NATIVE_BINARY allows, in the order they are tried. */
function allowedSources(): BinarySource[] {
  const only = process.env.TUNEKIT_NATIVE_BINARY;
  return only === 'prebuilt' || only === 'compiled' ? [only] : ['compiled', 'prebuilt'];
}

/** Loads one binary, or says why it cannot be used. */
function loadFile(path: string): { addon?: NativeAddon; failure?: string } {
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    return typeof addon?.matmul === 'function' ? { addon } : { failure: `${path} is not the tunekit addon` };
  } catch (error) {
    return { failure: `${path} failed to load (${(error as Error).message.split('\n')[0]})` };
  }
}

/**
 * Loads the first usable binary of a package folder, trying `sources` in
 * order (exported for tests, which point it at a temporary folder).
 */
export function loadFromPackage(root: string, sources: readonly BinarySource[] = allowedSources()): LoadResult {
  const failures: string[] = [];
  for (const source of sources) {
    const relative = source === 'prebuilt' ? prebuiltBinaryPath() : COMPILED_BINARY_PATH;
    const path = join(root, relative);
    if (!existsSync(path)) continue;
    const { addon, failure } = loadFile(path);
    if (addon) return { addon, source };
    failures.push(failure as string);
  }
  const fix = `install a C++ compiler and run \`npm rebuild ${PACKAGE_NAME}\``;
  if (failures.length) return { reason: `native addon unusable: ${failures.join('; ')}; ${fix}` };
  return { reason: `native addon not built (no prebuilt binary for ${process.platform}-${process.arch}, no ${COMPILED_BINARY_PATH}): ${fix}` };
}

function load(): LoadResult {
  if (typeof process === 'undefined' || !process.versions?.node) return { reason: 'native kernels need Node.js' };
  if (isDisabled()) return { reason: 'disabled by TUNEKIT_DISABLE_NATIVE' };
  const root = packageRoot();
  if (!root) return { reason: `cannot locate the ${PACKAGE_NAME} package folder` };
  return loadFromPackage(root);
}

/** Loads the addon on first call; later calls return the same result. */
export function loadAddon(): LoadResult {
  cached ??= load();
  return cached;
}
