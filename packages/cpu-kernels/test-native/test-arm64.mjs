#!/usr/bin/env node
/**
 * Tests the linux-arm64 prebuilt binary on this x86-64 machine under
 * qemu-user, with Debian's arm64 Node:
 *
 *   node test-native/test-arm64.mjs [--fetch] [path/to/arm64.node]
 *
 * Runs, inside an emulated arm64 Node, scripts/check-binary.cjs (the
 * install-time check), test-native/gemm-shapes.cjs (every GEMM level the
 * binary has, NEON included, against a float64 reference over odd shapes)
 * and, when dist/ is built, test-native/kernels-vs-stock.mjs (every native
 * kernel against tfjs's stock one, through the package's loader: the
 * x86-64 build/ binary fails to load there and the loader must fall back to
 * the arm64 prebuilt one).
 * qemu translates instructions, so its timings say nothing about speed on
 * real arm64 hardware; only correctness is tested here.
 *
 * Needs `qemu-aarch64` (Debian: qemu-user) and an arm64 Node root folder
 * (TUNEKIT_ARM64_SYSROOT, default <tmp>/tunekit-arm64-sysroot) holding
 * usr/bin/node and its libraries. `--fetch` fills it from Debian with
 * `apt-get download` (no install: the .debs are unpacked into the folder),
 * after `dpkg --add-architecture arm64 && apt-get update` (as root, once).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');
const sysroot = process.env.TUNEKIT_ARM64_SYSROOT || join(tmpdir(), 'tunekit-arm64-sysroot');
const args = process.argv.slice(2);
const binary = resolve(args.find((a) => !a.startsWith('--')) ?? join(packageDir, 'prebuilds', 'linux-arm64', 'node.napi.glibc.node'));

function fail(message) {
  console.error(`test-arm64: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, options = {}) {
  return spawnSync(command, commandArgs, { encoding: 'utf8', ...options });
}

/** Debian packages an arm64 `nodejs` needs: its and libnode's dependencies (virtual node-* ones are arch-independent). */
function nodePackages() {
  const deps = run('apt-cache', ['depends', '--no-recommends', '--no-suggests', 'nodejs:arm64']);
  if (deps.status !== 0) fail(`apt-cache cannot see nodejs:arm64 (${deps.stderr.trim()}); run as root: dpkg --add-architecture arm64 && apt-get update`);
  const names = (text) => [...text.matchAll(/^\s*(?:\|)?Depends: (\S+)/gm)].map((m) => m[1]);
  const direct = names(deps.stdout);
  const libnode = direct.find((d) => d.startsWith('libnode'));
  const all = new Set(['nodejs:arm64', ...direct]);
  if (libnode) for (const d of names(run('apt-cache', ['depends', '--no-recommends', '--no-suggests', libnode]).stdout)) all.add(d);
  // <node-acorn:arm64> is provided by the arch-independent node-acorn.
  return [...all].map((d) => (d.startsWith('<') ? d.slice(1, -1).replace(/:arm64$/, '') : d)).concat(['libgcc-s1:arm64']);
}

function fetchSysroot() {
  const debs = join(sysroot, '.debs');
  mkdirSync(debs, { recursive: true });
  const packages = nodePackages();
  console.log(`fetching ${packages.length} Debian packages into ${sysroot}`);
  const download = run('apt-get', ['download', ...packages], { cwd: debs, stdio: 'inherit' });
  if (download.status !== 0) fail('apt-get download failed');
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    if (run('dpkg', ['-x', join(debs, deb), sysroot]).status !== 0) fail(`cannot unpack ${deb}`);
  }
}

function main() {
  if (run('qemu-aarch64', ['--version']).status !== 0) fail('qemu-aarch64 not found: apt-get install qemu-user');
  if (!existsSync(binary)) fail(`${binary} not found: node scripts/build-prebuilt.mjs linux-arm64`);
  const node = join(sysroot, 'usr', 'bin', 'node');
  if (!existsSync(node)) {
    if (!args.includes('--fetch')) fail(`no arm64 Node in ${sysroot}: rerun with --fetch (or set TUNEKIT_ARM64_SYSROOT)`);
    fetchSysroot();
  }
  const qemu = (script, scriptArgs = [binary]) => {
    const started = Date.now();
    const result = run('qemu-aarch64', ['-L', sysroot, node, script, ...scriptArgs], { cwd: packageDir, timeout: 10 * 60_000 });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.status !== 0) fail(`${script} under qemu failed after ${seconds} s: ${(result.stderr || result.stdout || String(result.error)).trim()}`);
    console.log(`ok ${script.replace(`${packageDir}/`, '')} (${seconds} s under qemu, not a speed measure): ${result.stdout.trim()}`);
  };
  qemu(join(packageDir, 'scripts', 'check-binary.cjs'));
  qemu(join(here, 'gemm-shapes.cjs'));
  const defaultBinary = join(packageDir, 'prebuilds', 'linux-arm64', 'node.napi.glibc.node');
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    console.log('skipped test-native/kernels-vs-stock.mjs: no dist/ (run pnpm build)');
  } else if (binary !== defaultBinary) {
    console.log('skipped test-native/kernels-vs-stock.mjs: it loads the package\'s own prebuilds/linux-arm64 binary, not the one given');
  } else {
    qemu(join(here, 'kernels-vs-stock.mjs'), []);
  }
}

main();
