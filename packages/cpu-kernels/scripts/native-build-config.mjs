/**
 * What every build of the addon shares: the sources (read from
 * binding.gyp, the one list), the compiler flags of a direct build, where
 * Node's headers are, and where a prebuilt binary for a platform lives.
 * Used by build-native.mjs (install time) and build-prebuilt.mjs (release).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (packages/cpu-kernels, or node_modules/@tunekit/cpu-kernels). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Sources, mirrored from binding.gyp so a direct build compiles exactly what node-gyp would. */
export function nativeSources(root = packageRoot) {
  const gyp = readFileSync(join(root, 'binding.gyp'), 'utf8');
  const sources = [...gyp.matchAll(/"(native\/[\w-]+\.cc)"/g)].map((m) => m[1]);
  return sources.length ? sources : readdirSync(join(root, 'native')).filter((f) => f.endsWith('.cc')).map((f) => `native/${f}`);
}

/**
 * Flags of a direct (no node-gyp) build, mirrored from binding.gyp. No
 * -march: the binary runs on any x86-64 or arm64 CPU; wider SIMD is chosen
 * at run time. N-API only (NAPI_VERSION 8 = Node >= 12.22/14.17/15.12), so
 * one binary serves every Node version.
 */
export function compileFlags(nodeDir) {
  return [
    '-O3', '-std=c++17', '-fPIC', '-pthread', '-fvisibility=hidden', '-fno-math-errno', '-fno-exceptions', '-fno-rtti',
    '-DNAPI_VERSION=8', '-DNAPI_DISABLE_CPP_EXCEPTIONS', `-I${join(nodeDir, 'include', 'node')}`,
  ];
}

/**
 * The folder that has include/node/node_api.h: `npm_config_nodedir` if set,
 * else the first of <node prefix>, /usr, /usr/local. N-API headers are the
 * same for every platform, so they also serve a cross build.
 */
export function findNodeDir(log = () => {}) {
  const fromEnv = process.env.npm_config_nodedir;
  if (fromEnv) {
    if (existsSync(join(fromEnv, 'include', 'node', 'node_api.h'))) return fromEnv;
    log(`npm_config_nodedir=${fromEnv} has no include/node/node_api.h; looking elsewhere`);
  }
  const prefix = resolve(dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr', '/usr/local']) {
    if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return undefined;
}

/**
 * The C library a Linux Node runs on: glibc reports its version in
 * process.report, musl (Alpine) does not.
 */
export function currentLibc() {
  if (process.platform !== 'linux') return undefined;
  const header = process.report?.getReport?.().header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * Where the prebuilt binary for a platform lives inside the package, in
 * prebuildify's layout (`prebuilds/<platform>-<arch>/node.napi[.<libc>].node`)
 * so that tools that know that layout (node-gyp-build) find it too. Must
 * match src/native/binary-paths.ts.
 */
export function prebuiltPath(platform = process.platform, arch = process.arch, libc = platform === 'linux' ? currentLibc() : undefined) {
  return join('prebuilds', `${platform}-${arch}`, libc ? `node.napi.${libc}.node` : 'node.napi.node');
}

/** The binary a local (install-time) build produces. */
export const localBuildPath = join('build', 'Release', 'tunekit_cpu_kernels.node');
