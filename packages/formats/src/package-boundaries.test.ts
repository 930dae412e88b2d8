/**
 * The package's promises about what it imports: no ML dependency, nothing
 * from core, and a main entry that runs in browsers (no Node built-ins
 * reachable from `src/index.ts`; those live behind `./node` and the CLI).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;

/** Static import/export specifiers of a source file (`import type` included: it is erased, but harmless to check). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm), ...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!);
}

/** Every module reachable from an entry, with the bare (non-relative) specifiers it uses. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const bare: string[] = [];
    seen.set(file, bare);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.push(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('package boundaries', () => {
  it('the main entry reaches no Node built-in and only @huggingface/jinja', () => {
    const graph = reachable(join(SRC, 'index.ts'));
    expect(graph.size).toBeGreaterThan(30);
    const bare = new Set([...graph.values()].flat());
    expect([...bare]).toEqual(['@huggingface/jinja']);
  });

  it('the node entry and the CLI add only node: built-ins', () => {
    for (const entry of ['node.ts', 'cli.ts']) {
      const bare = new Set([...reachable(join(SRC, entry)).values()].flat());
      expect([...bare].filter((s) => s !== '@huggingface/jinja' && !s.startsWith('node:'))).toEqual([]);
    }
  });

  it('nothing in the source imports tfjs or @tunekit/core, except as text in this test', () => {
    const graph = reachable(join(SRC, 'cli.ts'));
    for (const [file] of graph) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/@tensorflow|@tunekit\/core/);
    }
  });

  it('package.json declares no tfjs or core dependency, and gpt-tokenizer only as an optional peer', () => {
    const deps = { ...PACKAGE.dependencies, ...PACKAGE.peerDependencies, ...PACKAGE.devDependencies };
    expect(Object.keys(deps).filter((d) => d.includes('tensorflow') || d.startsWith('@tunekit/'))).toEqual([]);
    expect(Object.keys(PACKAGE.dependencies ?? {})).toEqual(['@huggingface/jinja']);
    expect(PACKAGE.peerDependenciesMeta).toEqual({ 'gpt-tokenizer': { optional: true } });
    expect((PACKAGE.exports as Record<string, unknown>)['./node']).toEqual({ types: './dist/node.d.ts', import: './dist/node.js', require: './dist/node.cjs', default: './dist/node.js' });
  });

  it('loads GPT-2 BPE only through a dynamic import', () => {
    const counter = readFileSync(join(SRC, 'validate', 'token-counter.ts'), 'utf8');
    expect(counter).not.toMatch(/^import .*gpt-tokenizer/m);
    expect(counter).toMatch(/await import\(/);
  });
});
