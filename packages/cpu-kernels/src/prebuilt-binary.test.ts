/**
 * Prebuilt binaries: which binary the loader picks, and that the install
 * script compiles nothing when the prebuilt binary for this platform works.
 *
 * Both run on a temporary copy of the package whose "prebuilt" binary is a
 * copy of the binary compiled at install time (the same code: what matters
 * here is the choice, not how it was built; scripts/build-prebuilt.mjs and
 * pack-install check the real prebuilt ones).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILED_BINARY_PATH, loadFromPackage, prebuiltBinaryPath } from './native/load-addon';
import { selfTest } from './native/self-test';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(packageDir, COMPILED_BINARY_PATH);
const skip = existsSync(compiled) ? false : `no ${COMPILED_BINARY_PATH} to copy (the install-time build failed)`;

let temp: string;

/** A copy of the package's install-time files, with the given binaries in place. */
function fakePackage(name: string, binaries: { prebuilt?: 'working' | 'broken'; compiled?: boolean }): string {
  const root = join(temp, name);
  mkdirSync(root, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'scripts', 'native']) cpSync(join(packageDir, entry), join(root, entry), { recursive: true });
  if (binaries.prebuilt) {
    const target = join(root, prebuiltBinaryPath());
    mkdirSync(dirname(target), { recursive: true });
    if (binaries.prebuilt === 'working') copyFileSync(compiled, target);
    else writeFileSync(target, 'not an ELF file');
  }
  if (binaries.compiled) {
    mkdirSync(dirname(join(root, COMPILED_BINARY_PATH)), { recursive: true });
    copyFileSync(compiled, join(root, COMPILED_BINARY_PATH));
  }
  return root;
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'tunekit-prebuilt-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe.skipIf(skip)('loader', () => {
  it('loads the prebuilt binary when it is the only one, and it computes', () => {
    const result = loadFromPackage(fakePackage('prebuilt-only', { prebuilt: 'working' }));
    expect(result.reason).toBeUndefined();
    expect(result.source).toBe('prebuilt');
    expect(selfTest(result.addon!)).toBeUndefined();
  });

  it('prefers a compiled binary (built on purpose, or because the prebuilt one failed) and can be told to use either', () => {
    const root = fakePackage('both', { prebuilt: 'working', compiled: true });
    expect(loadFromPackage(root).source).toBe('compiled');
    expect(loadFromPackage(root, ['prebuilt']).source).toBe('prebuilt');
  });

  it('falls back to the compiled binary when the prebuilt one does not load', () => {
    const root = fakePackage('broken-prebuilt', { prebuilt: 'broken', compiled: true });
    expect(loadFromPackage(root, ['prebuilt', 'compiled']).source).toBe('compiled');
    const onlyPrebuilt = loadFromPackage(root, ['prebuilt']);
    expect(onlyPrebuilt.addon).toBeUndefined();
    expect(onlyPrebuilt.reason).toContain(join(root, prebuiltBinaryPath()));
    expect(onlyPrebuilt.reason).toContain('npm rebuild @tunekit/cpu-kernels');
  });

  it('says what is missing and how to fix it when there is no binary', () => {
    const result = loadFromPackage(fakePackage('none', {}));
    expect(result.addon).toBeUndefined();
    expect(result.reason).toBe(
      `native addon not built (no prebuilt binary for ${process.platform}-${process.arch}, no ${COMPILED_BINARY_PATH}): install a C++ compiler and run \`npm rebuild @tunekit/cpu-kernels\``,
    );
  });
});

/** Runs the install script with no compiler, node-gyp or Python reachable. */
function runInstallScript(root: string, extraEnv: Record<string, string> = {}) {
  const emptyPath = join(temp, 'empty-bin');
  mkdirSync(emptyPath, { recursive: true });
  const env: Record<string, string> = { PATH: emptyPath, HOME: temp, TUNEKIT_NATIVE_BUILD_VERBOSE: '1', ...extraEnv };
  // A copy of node-gyp bundled with npm next to this Node would still be found; point it at nothing.
  env.npm_config_node_gyp = join(emptyPath, 'node-gyp.js');
  env.npm_config_nodedir = join(emptyPath, 'no-headers');
  return spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

describe.skipIf(skip || process.platform === 'win32')('install script', () => {
  it('compiles nothing when the prebuilt binary loads and computes here', () => {
    const root = fakePackage('install-prebuilt', { prebuilt: 'working' });
    const run = runInstallScript(root);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`prebuilt ${prebuiltBinaryPath()} works here`);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/warning|node-gyp|compiler/);
    expect(existsSync(join(root, 'build'))).toBe(false);
  });

  it('tries to compile (and warns with the fix when it cannot) when the prebuilt binary does not load', () => {
    const root = fakePackage('install-broken', { prebuilt: 'broken' });
    const run = runInstallScript(root);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('does not work here');
    expect(run.stderr).toContain('native kernels not built');
    expect(run.stderr).toContain('npm rebuild @tunekit/cpu-kernels');
  });

  it('compiles even with a working prebuilt binary when asked to build from source', () => {
    const root = fakePackage('install-from-source', { prebuilt: 'working' });
    const run = runInstallScript(root, { npm_config_build_from_source: 'true' });
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('works here');
    expect(run.stderr).toContain('native kernels not built');
  });
});
