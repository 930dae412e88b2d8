// The public surface of every package follows the rules of docs/api.md, so
// that they cannot drift: acronyms in capitals, and one calling convention
// (options objects). Reads the entry points' sources with the TypeScript
// compiler, so it needs no build.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every public entry point: each package's `exports` subpaths, as sources. */
const ENTRY_POINTS = [
  'packages/core/src/index.ts',
  'packages/core/src/testing/index.ts',
  'packages/formats/src/index.ts',
  'packages/formats/src/node.ts',
  'packages/backend-spec/src/index.ts',
  'packages/backend-cpu/src/index.ts',
  'packages/backend-cpu/src/node.ts',
  'packages/backend-node/src/index.ts',
  'packages/backend-web/src/index.ts',
  'packages/backend-web/src/node.ts',
  'packages/cpu-kernels/src/index.ts',
];

/**
 * Acronyms and initialisms, spelled as they must appear inside a name. At the
 * start of a camelCase name they are lowercase (`jsonLog`, `loraScaling`),
 * anywhere else as here (`toJSONL`, `LoRAAdapter`, `OpenAIChatRecord`).
 */
const ACRONYMS = [
  'AI', 'API', 'BPE', 'CPU', 'CSV', 'CUDA', 'DPO', 'GPT', 'GPU', 'HF', 'HTML', 'HTTP', 'ICD', 'ID', 'IO', 'ISA',
  'JSON', 'JSONL', 'KV', 'LM', 'LoRA', 'OPFS', 'PEFT', 'SVG', 'TSV', 'URL',
];

/** The capitalised-word spelling of an acronym inside a name (`Json` for JSON), which the rule forbids. */
function wordSpelling(acronym: string): string {
  return acronym[0] + acronym.slice(1).toLowerCase();
}

/** Where `name` spells an acronym as a word (`OpenAiChatRecord` → `Ai`). Constants (`END_OF_TEXT`) are exempt. */
export function acronymViolations(name: string): string[] {
  if (/^[A-Z0-9_]+$/.test(name)) return [];
  const found: string[] = [];
  for (const acronym of ACRONYMS) {
    const word = wordSpelling(acronym);
    if (word === acronym) continue;
    // The word form, followed by a new word, a digit or the end of the name.
    if (new RegExp(`${word}(?=[A-Z0-9_]|$)`).test(name)) found.push(`${word} → ${acronym}`);
  }
  return found;
}

/**
 * Functions whose arguments are positional on purpose: tensor math, which
 * reads like the tfjs ops it is built from (`tf.clipByValue(x, lo, hi)`), and
 * two-operand comparisons. Everything else takes one subject and an options
 * object, or one options object.
 */
const POSITIONAL_BY_DESIGN: Record<string, string> = {
  lmCrossEntropy: 'tensor math: (hidden, table, labels, options)',
  lmTokenStats: 'tensor math: (hidden, table, labels, options)',
  softmaxCrossEntropy: 'tensor math: (logits, labels)',
  pairwiseLoss: 'tensor math: (chosen, rejected)',
  clipByGlobalNorm: 'tensor math like tf.clipByValue: (gradients, norm, maxNorm)',
  lastTokenHidden: 'tensor math: (hidden, lengths, tokens)',
  maxAbsDiff: 'comparison of two operands: (actual, expected)',
  quantile: 'math: (sorted values, q)',
};

/** `packages/core/src/testing/index.ts` → `@tunekit/core/testing`. */
function entryName(entry: string): string {
  const [, pkg, rest] = /^packages\/([^/]+)\/src\/(.*)\.ts$/.exec(entry)!;
  const subpath = rest!.replace(/\/?index$/, '');
  return `@tunekit/${pkg}${subpath ? `/${subpath}` : ''}`;
}

interface ExportedFunction {
  entry: string;
  name: string;
  parameters: string[];
}

function publicSurface(): { names: { entry: string; name: string }[]; functions: ExportedFunction[] } {
  const files = ENTRY_POINTS.map((entry) => `${root}${entry}`);
  // Packages resolve to each other's sources, as in tsconfig.tests.json (no build needed, none stale).
  const paths = Object.fromEntries(ENTRY_POINTS.map((entry) => [entryName(entry), [entry]]));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, noEmit: true, baseUrl: root, paths,
  });
  const checker = program.getTypeChecker();
  const names: { entry: string; name: string }[] = [];
  const functions: ExportedFunction[] = [];
  for (const entry of ENTRY_POINTS) {
    const source = program.getSourceFile(`${root}${entry}`);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read ${entry}`);
    for (const exported of checker.getExportsOfModule(module)) {
      names.push({ entry, name: exported.name });
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & ts.SymbolFlags.Function)) continue;
      for (const declaration of symbol.declarations ?? []) {
        if (!ts.isFunctionDeclaration(declaration)) continue;
        functions.push({ entry, name: exported.name, parameters: declaration.parameters.map((p) => p.name.getText()) });
      }
    }
  }
  return { names, functions };
}

const surface = publicSurface();

describe('public API', () => {
  it('reads every entry point and finds the names it exports', () => {
    expect(readdirSync(`${root}packages`).length).toBeGreaterThanOrEqual(7);
    expect(surface.names.length).toBeGreaterThan(300);
    expect(surface.functions.map((f) => f.name)).toContain('generate');
  });

  it('spells acronyms in capitals in every exported name (OpenAIChatRecord, GPT2Model, toJSONL)', () => {
    const violations = surface.names.flatMap(({ entry, name }) => acronymViolations(name).map((v) => `${entry}: ${name} (${v})`));
    expect(violations).toEqual([]);
  });

  it('the acronym rule catches the old spellings', () => {
    expect(acronymViolations('OpenAiChatRecord')).toEqual(['Ai → AI']);
    expect(acronymViolations('createLora')).toEqual(['Lora → LoRA']);
    expect(acronymViolations('toJsonl')).toEqual(['Jsonl → JSONL']);
    expect(acronymViolations('HfConfig')).toEqual(['Hf → HF']);
    expect(acronymViolations('loraScaling')).toEqual([]);
    expect(acronymViolations('jsonLog')).toEqual([]);
    expect(acronymViolations('GPT2Model')).toEqual([]);
    expect(acronymViolations('END_OF_TEXT_ID')).toEqual([]);
  });

  it('every exported function takes an options object: (options) or (subject, options)', () => {
    const violations = surface.functions
      .filter((f) => !(f.name in POSITIONAL_BY_DESIGN))
      .filter((f) => f.parameters.length > 2 || (f.parameters.length === 2 && f.parameters[1] !== 'options'))
      .map((f) => `${f.entry}: ${f.name}(${f.parameters.join(', ')})`);
    expect(violations).toEqual([]);
  });

  it('every positional exception is still exported (the list cannot go stale)', () => {
    const exported = new Set(surface.functions.map((f) => f.name));
    expect(Object.keys(POSITIONAL_BY_DESIGN).filter((name) => !exported.has(name))).toEqual([]);
  });
});
