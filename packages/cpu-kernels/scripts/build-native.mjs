#!/usr/bin/env node
/**
 * Builds the native addon at install time, unless the prebuilt binary
 * shipped for this platform (prebuilds/, see build-prebuilt.mjs) loads and
 * computes here: then nothing is compiled. It must never break
 * `pnpm install`: on any failure it prints one warning and exits 0, and the
 * package then reports `available: false` (tfjs's stock kernels are used).
 *
 *  0. Prebuilt binary: checked by loading it in a child process
 *     (scripts/check-binary.cjs); skipped with `npm install
 *     --build-from-source`, TUNEKIT_BUILD_FROM_SOURCE=1, or this script's
 *     --build-from-source (`pnpm build:native`: after editing native/).
 *  1. Node headers: `npm_config_nodedir` if set, else the first of
 *     <node prefix>/include/node, /usr/include/node, /usr/local/include/node
 *     that has node_api.h. Without local headers we do not build at all:
 *     node-gyp would try to download them.
 *  2. node-gyp: this package's own dependency if present, else the one npm
 *     or pnpm provide to install scripts (`npm_config_node_gyp`, PATH), else
 *     the copy bundled with npm next to this Node. Run with --nodedir.
 *  3. If node-gyp is missing or fails (e.g. no Python), a direct compiler
 *     call (`c++ -shared`) with the same sources and flags.
 *
 * Environment: TUNEKIT_SKIP_NATIVE_BUILD=1 skips the build;
 * TUNEKIT_NATIVE_BUILD_VERBOSE=1 (or --verbose) shows compiler output.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFlags, findNodeDir, nativeSources, prebuiltPath } from './native-build-config.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = 'tunekit_cpu_kernels';
const output = join(root, 'build', 'Release', `${target}.node`);
const verbose = process.argv.includes('--verbose') || process.env.TUNEKIT_NATIVE_BUILD_VERBOSE === '1';
const TIMEOUT_MS = 10 * 60 * 1000;

function log(message) {
  if (verbose) console.log(`[@tunekit/cpu-kernels] ${message}`);
}

function warnAndExit(why) {
  console.warn(
    `[@tunekit/cpu-kernels] warning: native kernels not built (${why}). ` +
      'Training will use a slower engine (wasm). Install a C++ compiler and run `npm rebuild @tunekit/cpu-kernels`.',
  );
  process.exit(0);
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** A command array that runs node-gyp, or undefined. */
function findNodeGyp() {
  try {
    return [process.execPath, createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    // not a dependency of this package: use the package manager's
  }
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv.endsWith('.js') ? [process.execPath, fromEnv] : [fromEnv];
  const onPath = findOnPath(process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp');
  if (onPath) return [onPath];
  const prefix = resolve(dirname(process.execPath), '..');
  for (const candidate of [
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]) {
    if (existsSync(candidate)) return [process.execPath, candidate];
  }
  return undefined;
}

function run(command, args, env = process.env) {
  log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: verbose ? 'inherit' : 'pipe', timeout: TIMEOUT_MS, encoding: 'utf8' });
  if (result.error) return { ok: false, detail: result.error.message };
  if (result.status !== 0) {
    const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
    const firstError = text.find((line) => /error/i.test(line)) ?? text[text.length - 1] ?? `exit code ${result.status}`;
    return { ok: false, detail: firstError.trim().slice(0, 300) };
  }
  return { ok: true };
}

/** Loads the built addon in a child process and checks a matmul: a binary that cannot load or compute counts as a failed build. */
function works() {
  const check = spawnSync(process.execPath, [join(root, 'scripts', 'check-binary.cjs'), output], { stdio: 'pipe', timeout: 60_000 });
  return check.status === 0;
}

function buildWithNodeGyp(nodeDir) {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return { ok: false, detail: 'node-gyp not found' };
  const [command, ...prefixArgs] = nodeGyp;
  // Passing nodedir both ways: the flag, and the env var that node-gyp and
  // its gyp configure step read, so no step ever looks for a download.
  const env = { ...process.env, npm_config_nodedir: nodeDir };
  return run(command, [...prefixArgs, 'rebuild', `--nodedir=${nodeDir}`, '--release', '-j', 'max'], env);
}

function buildDirectly(nodeDir) {
  if (process.platform === 'win32') return { ok: false, detail: 'direct compilation is not supported on Windows' };
  const compiler = process.env.CXX || ['c++', 'g++', 'clang++'].find((c) => findOnPath(c));
  if (!compiler) return { ok: false, detail: 'no C++ compiler (c++, g++, clang++) on PATH' };
  mkdirSync(dirname(output), { recursive: true });
  const temp = `${output}.tmp`;
  const link = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  const result = run(compiler, [...compileFlags(nodeDir), ...nativeSources(root), ...link, '-o', temp]);
  if (result.ok) copyFileSync(temp, output);
  return result;
}

function buildFromSourceWanted() {
  // npm turns `--build-from-source` into npm_config_build_from_source (the prebuild-install / node-gyp-build convention).
  const npmFlag = process.env.npm_config_build_from_source;
  return (
    process.argv.includes('--build-from-source') ||
    process.env.TUNEKIT_BUILD_FROM_SOURCE === '1' ||
    (npmFlag !== undefined && npmFlag !== '' && npmFlag !== 'false')
  );
}

/** True when the prebuilt binary for this platform exists, loads and computes right (in a child process). */
function prebuiltWorks() {
  const path = join(root, prebuiltPath());
  if (!existsSync(path)) {
    log(`no prebuilt binary for this platform (${prebuiltPath()})`);
    return false;
  }
  const check = spawnSync(process.execPath, [join(root, 'scripts', 'check-binary.cjs'), path], { encoding: 'utf8', timeout: 60_000 });
  if (check.status === 0) {
    log(`prebuilt ${prebuiltPath()} works here: ${check.stdout.trim()}`);
    return true;
  }
  log(`prebuilt ${prebuiltPath()} does not work here (${(check.stderr ?? '').trim() || `exit ${check.status}`}); compiling`);
  return false;
}

function main() {
  if (process.env.TUNEKIT_SKIP_NATIVE_BUILD === '1') {
    console.warn('[@tunekit/cpu-kernels] TUNEKIT_SKIP_NATIVE_BUILD=1: native kernels not built.');
    return;
  }
  if (!buildFromSourceWanted() && prebuiltWorks()) return;
  const nodeDir = findNodeDir(log);
  if (!nodeDir) warnAndExit('no local Node headers (include/node/node_api.h); set npm_config_nodedir to a Node install or headers folder');
  log(`node headers: ${nodeDir}/include/node`);

  const gyp = buildWithNodeGyp(nodeDir);
  if (gyp.ok && works()) {
    log(`built ${output} with node-gyp`);
    return;
  }
  log(`node-gyp: ${gyp.ok ? 'built a binary that does not load' : gyp.detail}; trying the compiler directly`);
  const direct = buildDirectly(nodeDir);
  if (direct.ok && works()) {
    log(`built ${output} with the compiler directly`);
    return;
  }
  warnAndExit(`node-gyp: ${gyp.ok ? 'binary does not load' : gyp.detail}; direct build: ${direct.ok ? 'binary does not load' : direct.detail}`);
}

try {
  main();
} catch (error) {
  warnAndExit(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}
