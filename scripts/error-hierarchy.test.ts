// One error hierarchy: everything tunekit throws on purpose is a TunekitError
// with a stable code (docs/public-api.md). Fails on a new plain `new Error(`
// in a package's sources unless a `plain Error:` comment on that line or the
// line before says why, and on an exported error class outside the hierarchy.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as backendCPU from '@tunekit/backend-cpu';
import * as backendCPUNode from '@tunekit/backend-cpu/node';
import * as backendNode from '@tunekit/backend-node';
import * as backendSpec from '@tunekit/backend-spec';
import * as backendWeb from '@tunekit/backend-web';
import * as backendWebNode from '@tunekit/backend-web/node';
import * as core from '@tunekit/core';
import * as coreTesting from '@tunekit/core/testing';
import * as formats from '@tunekit/formats';
import * as formatsNode from '@tunekit/formats/node';
import { TunekitError } from '@tunekit/formats';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `file:line` of every `new Error(` / `extends Error` without a `plain Error:` comment on its line or the line before. */
export function plainErrors(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = read(file).split('\n');
    lines.forEach((line, i) => {
      if (!/\bnew Error\(|\bextends Error\b/.test(line)) return;
      if (line.includes('plain Error:') || (lines[i - 1] ?? '').includes('plain Error:')) return;
      if (/^\s*(\/\/|\*)/.test(line)) return; // prose in a comment
      found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

const ENTRY_POINTS = { core, coreTesting, formats, formatsNode, backendSpec, backendCPU, backendCPUNode, backendNode, backendWeb, backendWebNode };

/** Argument lists to try when constructing an error class whose constructor is unknown here. */
const TRIAL_ARGUMENTS: unknown[][] = [['message'], ['path', {}], [[]], [1, 2], ['a', 'b', {}], ['a', 'b', 'c'], ['a', [], {}], ['a', 'b', { written: 0, expected: 1 }], ['a', { source: undefined }]];

describe('error hierarchy', () => {
  it('no package throws a plain Error without saying why', () => {
    const packages = readdirSync(join(root, 'packages'));
    expect(packages).toEqual(expect.arrayContaining(['core', 'cpu-kernels']));
    const files = packages.flatMap((name) => sourceFiles(join(root, 'packages', name, 'src')));
    expect(plainErrors(files)).toEqual([]);
  });

  it('the scan finds a plain Error, and accepts one whose comment says why', () => {
    const sources: Record<string, string> = {
      [join(root, 'a.ts')]: "if (x) throw new Error('boom');",
      [join(root, 'b.ts')]: "// plain Error: test support\nthrow new Error('boom');",
      [join(root, 'c.ts')]: 'class Oops extends Error {}',
      [join(root, 'd.ts')]: "throw new InvalidArgumentError('boom');",
    };
    expect(plainErrors(Object.keys(sources), (f) => sources[f] as string)).toEqual(["a.ts:1: if (x) throw new Error('boom');", 'c.ts:1: class Oops extends Error {}']);
  });

  it('every exported error class extends TunekitError and gets a snake_case code', () => {
    const classes = Object.entries(ENTRY_POINTS).flatMap(([entry, module]) =>
      Object.entries(module as Record<string, unknown>)
        .filter(([name, value]) => typeof value === 'function' && /^[A-Z].*Error$/.test(name))
        .map(([name, value]) => ({ entry, name, value: value as new (...args: unknown[]) => Error })));
    expect(classes.length).toBeGreaterThan(20);
    const outside = classes.filter((c) => c.value !== TunekitError && !(c.value.prototype instanceof TunekitError)).map((c) => `${c.entry}.${c.name}`);
    expect(outside).toEqual([]);
    const codes: Record<string, string> = {};
    for (const { entry, name, value } of classes) {
      if (value === TunekitError) continue;
      for (const args of TRIAL_ARGUMENTS) {
        try {
          codes[`${entry}.${name}`] = (new value(...args) as TunekitError).code;
          break;
        } catch {
          // another argument list
        }
      }
    }
    const bad = classes.filter((c) => c.value !== TunekitError && !/^[a-z][a-z0-9_]*$/.test(codes[`${c.entry}.${c.name}`] ?? '')).map((c) => `${c.entry}.${c.name}: ${codes[`${c.entry}.${c.name}`]}`);
    expect(bad).toEqual([]);
  });
});
