// Every publishable package under packages/ — including ones added later —
// is held to the same rules: the metadata npm shows, the licence text and a
// README in the tarball, and a `require` entry beside each `import` one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build helper without type declarations
import { writeRequireStubs } from './require-stubs.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
const license = readFileSync(join(repo, 'LICENSE'), 'utf8');

interface ExportTarget { types?: string; import?: string; require?: string; default?: string }
interface Manifest {
  name: string; version?: string; description?: string; private?: boolean; license?: string; keywords?: string[];
  repository?: { type?: string; url?: string; directory?: string }; homepage?: string; bugs?: { url?: string };
  engines?: { node?: string }; publishConfig?: { access?: string }; files?: string[];
  exports?: Record<string, string | ExportTarget>;
}

const packages = readdirSync(join(repo, 'packages'))
  .filter((dir) => existsSync(join(repo, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => !manifest.private);

describe('the repository', () => {
  it('has the full Apache-2.0 text and links every package inherits', () => {
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(license.length).toBeGreaterThan(10_000);
    expect(root.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(root.bugs?.url).toBeTruthy();
    expect(packages.length).toBeGreaterThanOrEqual(5);
  });
});

describe.each(packages)('packages/$dir', ({ dir, manifest }) => {
  const folder = join(repo, 'packages', dir);

  it('has the metadata npm shows and needs to publish', () => {
    expect(manifest.name).toMatch(/^@tunekit\/[a-z0-9-]+$/);
    expect(manifest.description?.length).toBeGreaterThan(10);
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.repository).toEqual({ type: 'git', url: root.repository?.url, directory: `packages/${dir}` });
    expect(manifest.homepage).toBe(`${root.repository!.url!.replace(/^git\+/, '').replace(/\.git$/, '')}/tree/main/packages/${dir}#readme`);
    expect(manifest.bugs).toEqual(root.bugs);
    expect(manifest.keywords?.length).toBeGreaterThan(2);
    expect(manifest.engines?.node).toBe(root.engines?.node);
    // A scoped package's first publish is restricted without this.
    expect(manifest.publishConfig?.access).toBe('public');
  });

  it('ships the licence text and a README with an install line and an example', () => {
    expect(manifest.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE']));
    expect(readFileSync(join(folder, 'LICENSE'), 'utf8')).toBe(license);
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`^# ${manifest.name.replace('/', '\\/')}\\n`));
    expect(readme).toMatch(new RegExp(`npm install [^\\n]*${manifest.name.replace('/', '\\/')}( |\\n)`));
    expect(readme).toMatch(/```ts\n[^`]*import [^`]*from '@tunekit\//);
    expect(readme).toContain('## Links');
  });

  it('has a require entry beside every import entry, and its build writes it', () => {
    const entries = Object.entries(manifest.exports ?? {}).filter(([subpath]) => subpath !== './package.json');
    expect(entries.length).toBeGreaterThan(0);
    for (const [subpath, target] of entries) {
      expect(typeof target, subpath).toBe('object');
      const conditions = target as ExportTarget;
      // `types` first and `default` last: Node and TypeScript take the first match.
      expect(Object.keys(conditions), subpath).toEqual(['types', 'import', 'require', 'default']);
      expect(conditions.require, subpath).toBe(conditions.import!.replace(/\.js$/, '.cjs'));
      expect(conditions.default, subpath).toBe(conditions.import);
    }
    expect(readFileSync(join(folder, 'tsup.config.ts'), 'utf8')).toMatch(/onSuccess[\s\S]*writeRequireStubs\('\.'\)/);
  });
});

describe('the require() stubs', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tunekit-stubs-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const sample = join(scratch, 'node_modules', '@tunekit', 'sample');
  mkdirSync(join(sample, 'dist'), { recursive: true });
  writeFileSync(join(sample, 'package.json'), JSON.stringify({
    name: '@tunekit/sample', type: 'module',
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs', default: './dist/index.js' } },
  }));
  writeFileSync(join(sample, 'dist', 'index.js'), 'export const answer = 42; export const instance = {};\n');
  expect(writeRequireStubs(sample)).toEqual([join(sample, 'dist', 'index.cjs')]);
  const run = (flags: string[], code: string) => spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { cwd: scratch, encoding: 'utf8' });
  const check = `import { createRequire } from 'node:module';
    const required = createRequire(process.cwd() + '/')('@tunekit/sample');
    const imported = await import('@tunekit/sample');
    console.log(required.answer, required.instance === imported.instance);`;

  it('hands require() the same module instance as import (Node >= 20.19)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
    const result = run([], check);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.stdout.trim()).toBe('42 true');
  });

  it('says "ESM only: use import()" where Node cannot require ES modules', () => {
    const result = run(['--no-experimental-require-module'], check);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("@tunekit/sample is ESM only: use import('@tunekit/sample')");
  });

  it('are what the build wrote into each built package', () => {
    // The pack-install check (scripts/pack-install.sh) requires them from real tarballs.
    const built = packages.filter(({ dir }) => existsSync(join(repo, 'packages', dir, 'dist')));
    for (const { dir, manifest } of built) {
      for (const target of Object.values(manifest.exports ?? {})) {
        if (typeof target === 'object' && target.require) expect(existsSync(join(repo, 'packages', dir, target.require)), `${dir}: ${target.require}`).toBe(true);
      }
    }
    expect(built.length).toBeGreaterThan(0);
  });
});
