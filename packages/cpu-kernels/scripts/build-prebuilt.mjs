#!/usr/bin/env node
/**
 * Builds the prebuilt binaries that ship inside the package, so installing
 * it compiles nothing on these platforms:
 *
 *   node scripts/build-prebuilt.mjs [linux-x64] [linux-arm64]   (default: linux-x64)
 *
 * Each target is a direct compiler call (no node-gyp, no Python) with the
 * flags of binding.gyp, against the N-API headers of the Node on this
 * machine (platform-independent). libstdc++ is linked dynamically, as Node
 * itself links it: a static one drags in libstdc++.a's and libgcc_eh.a's
 * newest glibc symbols (arc4random, _dl_find_object: glibc >= 2.36, which
 * would exclude Ubuntu 22.04), while the dynamic link needs glibc >= 2.34
 * and GCC 12's libstdc++ (printed per build). Where those are older the
 * binary fails to load, and the install script compiles instead. The
 * target's own architecture uses `c++`
 * (or CXX); another one uses Debian's cross compiler
 * (`apt-get install g++-aarch64-linux-gnu` for arm64,
 * `g++-x86-64-linux-gnu` for x64). Output: prebuilds/<target>/node.napi.glibc.node,
 * written to a temporary file and renamed once complete.
 *
 * Every binary is then checked: ELF machine of the target, no libstdc++
 * symbol versions, the newest glibc symbol version it needs (printed: that
 * is the oldest glibc it runs on). A binary for this machine's architecture
 * is also loaded and its matmul checked (scripts/check-binary.cjs); an arm64
 * one is checked under qemu-user by test-native/test-arm64.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { compileFlags, findNodeDir, nativeSources, packageRoot, prebuiltPath } from './native-build-config.mjs';

/** Targets this script can build: Node's arch name, ELF e_machine, Debian's cross compiler. */
export const TARGETS = {
  'linux-x64': { arch: 'x64', elfMachine: 62, cross: 'x86_64-linux-gnu-g++' },
  'linux-arm64': { arch: 'arm64', elfMachine: 183, cross: 'aarch64-linux-gnu-g++' },
};

function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

function compilerFor(target) {
  const spec = TARGETS[target];
  if (spec.arch === process.arch && process.platform === 'linux') {
    return process.env.CXX || ['c++', 'g++', 'clang++'].find(onPath);
  }
  return onPath(spec.cross) ? spec.cross : undefined;
}

/** Throws with the reason unless the binary is a shared object for the target that needs only glibc. */
function inspect(file, target) {
  const bytes = readFileSync(file);
  if (bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
  const machine = bytes.readUInt16LE(18);
  if (machine !== TARGETS[target].elfMachine) throw new Error(`${file} is for ELF machine ${machine}, expected ${TARGETS[target].elfMachine} (${target})`);
  const text = bytes.toString('latin1');
  return { glibc: newestVersion(text, 'GLIBC_'), libstdcxx: newestVersion(text, 'GLIBCXX_'), bytes: bytes.length };
}

/** The newest `<prefix>x.y[.z]` symbol version named in an ELF file's text. */
function newestVersion(text, prefix) {
  const versions = [...text.matchAll(new RegExp(`${prefix}(\\d+)\\.(\\d+)(?:\\.(\\d+))?`, 'g'))].map((m) => [Number(m[1]), Number(m[2]), m[3] === undefined ? -1 : Number(m[3])]);
  versions.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const newest = versions.at(-1);
  return newest ? newest.filter((v) => v >= 0).join('.') : 'none';
}

function build(target, nodeDir) {
  const compiler = compilerFor(target);
  if (!compiler) {
    throw new Error(`no compiler for ${target}: install ${TARGETS[target].arch === process.arch ? 'g++' : TARGETS[target].cross.replace(/-g\+\+$/, '').replace(/^/, 'g++-').replace('g++-x86_64', 'g++-x86-64')}`);
  }
  const output = join(packageRoot, prebuiltPath('linux', TARGETS[target].arch, 'glibc'));
  const temp = `${output}.tmp-${process.pid}`;
  mkdirSync(dirname(output), { recursive: true });
  const args = [...compileFlags(nodeDir), ...nativeSources(), '-shared', '-s', '-o', temp];
  console.log(`[${target}] ${compiler} ... -o ${prebuiltPath('linux', TARGETS[target].arch, 'glibc')}`);
  const started = Date.now();
  const result = spawnSync(compiler, args, { cwd: packageRoot, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    rmSync(temp, { force: true });
    throw new Error(`${compiler} failed for ${target}${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}`);
  }
  let facts;
  try {
    facts = inspect(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  renameSync(temp, output);
  console.log(`[${target}] built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${facts.bytes} bytes, needs glibc >= ${facts.glibc} and libstdc++ GLIBCXX_${facts.libstdcxx}`);
  if (TARGETS[target].arch === process.arch && process.platform === 'linux') {
    const check = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'check-binary.cjs'), output], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`[${target}] the binary does not work here: ${check.stderr.trim()}`);
    console.log(`[${target}] loads and computes: ${check.stdout.trim()}`);
  } else {
    console.log(`[${target}] not this machine's architecture: test it with test-native/test-arm64.mjs (qemu-user)`);
  }
  return output;
}

function main() {
  const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const wanted = targets.length ? targets : ['linux-x64'];
  for (const target of wanted) {
    if (!TARGETS[target]) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
  }
  const nodeDir = findNodeDir();
  if (!nodeDir) throw new Error('no Node headers (include/node/node_api.h): set npm_config_nodedir');
  for (const target of wanted) build(target, nodeDir);
}

try {
  main();
} catch (error) {
  console.error(`build-prebuilt: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
