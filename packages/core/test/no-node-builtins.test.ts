// Core knows only the backend spec: file access (and anything else of
// Node's) comes through a backend's FileIO. No core source imports a `node:`
// module or fetches one with process.getBuiltinModule, so core runs, and
// bundles, wherever a backend does.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const source = join(__dirname, '..', 'src');

/**
 * The one exception, and why: the fixture helpers of `@tunekit/core/testing`
 * (`tinyGPT2Directory`, `loadGolden`) find and read the repository's test
 * fixtures synchronously, in Node only, and nearly sixty call sites in the tests
 * rely on them being synchronous, which no FileIO is. They are test support,
 * not the library; moving them behind a FileIO means making them async.
 */
const EXCEPTIONS = new Set(['testing/fixtures.ts']);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mts|cts)$/.test(entry.name) ? [path] : [];
  });
}

/** `file: line` for every line of core's sources that names a Node built-in. */
function mentionsOfNode(): string[] {
  return sourceFiles(source).flatMap((file) => {
    const name = relative(source, file).split('\\').join('/');
    if (EXCEPTIONS.has(name)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (/\bnode:|getBuiltinModule/.test(line) ? [`${name}:${index + 1}: ${line.trim()}`] : []));
  });
}

describe('core has no Node built-ins', () => {
  it('no source file imports node:* or calls process.getBuiltinModule', () => {
    expect(sourceFiles(source).length).toBeGreaterThan(50);
    expect(mentionsOfNode()).toEqual([]);
  });
});
