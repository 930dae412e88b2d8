// The optional kernels' names are defined once, in @tunekit/backend-spec
// (packages/backend-spec/src/optional-kernels.ts); core, the kernels and
// their tests import them. Fails on a `'Tunekit…'` kernel-name string
// literal anywhere else in the packages (sources, tests, build and test
// scripts), so a second spelling cannot creep back in. Reads string
// literals with the TypeScript scanner: names in comments are prose and
// pass.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { OPTIONAL_KERNEL_NAMES } from '@tunekit/backend-spec';

const root = fileURLToPath(new URL('..', import.meta.url));
const SPEC_MODULE = 'packages/backend-spec/src/optional-kernels.ts';

/** A kernel name: `Tunekit` and a capitalised word, not the `TunekitError` class family. */
const KERNEL_NAME = /\bTunekit(?!Error)[A-Z]\w*/;
const SCRIPT = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'prebuilds']);

function scriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : scriptFiles(path);
    return SCRIPT.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The text of every string literal and template part in `source`. */
function stringLiterals(source: string): { text: string; line: number }[] {
  const found: { text: string; line: number }[] = [];
  const file = ts.createSourceFile('scan.ts', source, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      found.push({ text: node.text, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** `file:line: literal` for each kernel-name literal in `files` (paths relative to the repository). */
export function kernelNameLiterals(files: readonly string[], read: (file: string) => string = (f) => readFileSync(join(root, f), 'utf8')): string[] {
  return files.flatMap((file) =>
    stringLiterals(read(file))
      .filter(({ text }) => KERNEL_NAME.test(text))
      .map(({ text, line }) => `${file}:${line}: '${text}'`));
}

describe('optional kernel names', () => {
  it('no package spells a Tunekit… kernel name as a string outside the spec module', () => {
    const files = scriptFiles(join(root, 'packages')).map((f) => relative(root, f));
    expect(files).toEqual(expect.arrayContaining([SPEC_MODULE, 'packages/core/src/model/layers.ts', 'packages/cpu-kernels/src/kernels/gelu.ts', 'packages/core/test/fused-attention.test.ts']));
    expect(kernelNameLiterals(files.filter((f) => f !== SPEC_MODULE))).toEqual([]);
  });

  it('the spec module is where every name is spelled', () => {
    const spelled = kernelNameLiterals([SPEC_MODULE]).map((hit) => /'(.*)'$/.exec(hit)?.[1]);
    expect([...spelled].sort()).toEqual([...OPTIONAL_KERNEL_NAMES].sort());
  });

  it('the scan finds names in strings and templates, not in comments, identifiers or error class names', () => {
    const sources: Record<string, string> = {
      'a.ts': "const GELU = 'TunekitGelu';",
      'b.ts': 'run(`TunekitLayerNorm${suffix}`, "TunekitAdamW");',
      'c.ts': "// TunekitGelu / TunekitGeluGrad\n/** `TunekitAttention` */\nimport { TunekitGelu } from '@tunekit/backend-spec';",
      'd.ts': "expect(error.name).toBe('TunekitError'); const x = `${TunekitGelu}: bad`;",
    };
    expect(kernelNameLiterals(Object.keys(sources), (f) => sources[f] as string)).toEqual([
      "a.ts:1: 'TunekitGelu'",
      "b.ts:1: 'TunekitLayerNorm'",
      "b.ts:1: 'TunekitAdamW'",
    ]);
  });
});
