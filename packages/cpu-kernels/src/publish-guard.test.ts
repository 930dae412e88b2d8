// `prepublishOnly` (scripts/check-prebuilds.mjs) must refuse a tarball that lacks a promised prebuilt binary
// or carries one for the wrong architecture, and accept one with both.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { prebuildProblems, REQUIRED_PREBUILDS } from '../scripts/check-prebuilds.mjs';

/** The first 20 bytes of an ELF header with e_machine = `machine`. */
function elfHeader(machine: number): Buffer {
  const bytes = Buffer.alloc(64);
  bytes.writeUInt32BE(0x7f454c46, 0);
  bytes.writeUInt16LE(machine, 18);
  return bytes;
}

const roots: string[] = [];
function packageWith(files: Record<string, Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'tunekit-publish-guard-'));
  roots.push(root);
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('publish guard for the prebuilt binaries', () => {
  const [x64, arm64] = REQUIRED_PREBUILDS as { path: string; elfMachine: number }[];

  it('accepts a package with both binaries for the right machines', () => {
    expect(prebuildProblems(packageWith({ [x64!.path]: elfHeader(62), [arm64!.path]: elfHeader(183) }))).toEqual([]);
  });

  it('refuses a missing arm64 binary and names the command that builds it', () => {
    const problems: string[] = prebuildProblems(packageWith({ [x64!.path]: elfHeader(62) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('linux-arm64');
    expect(problems[0]).toContain('build:prebuilt:arm64');
  });

  it('refuses a binary built for the wrong architecture, and a file that is not ELF', () => {
    const problems: string[] = prebuildProblems(packageWith({ [x64!.path]: elfHeader(183), [arm64!.path]: Buffer.from('not a binary') }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/ELF machine 183, expected 62/);
    expect(problems[1]).toMatch(/not an ELF shared object/);
  });
});
