// Every error tunekit throws says what to do about it (docs/public-api.md):
// each construction of a TunekitError subclass in a package's sources passes
// a fix (`fix:` in its options, or the class's positional fix argument), or
// its class always supplies one, or a `// no fix: <reason>` comment on its
// line or the line before says why there is none.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BufferLimitError, DeviceLostError, FeatureUnsupportedError, ShaderF16UnsupportedError, WebBackendUnavailableError, WebGPUDeviceError } from '@tunekit/backend-web';
import { CheckpointLockedError, CheckpointWriteError, ModelBusyError, NonFiniteLossError, type TunekitError } from '@tunekit/core';
import { AnswerMaskingError, ChatTemplateRaisedError, MissingTokenizerError, RecordsError } from '@tunekit/formats';
import { UnsupportedGradientError } from '../packages/core/src/tf/gradients/unsupported-gradient-error.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Classes whose constructor always supplies the fix itself, and from what. */
const CLASSES_WITH_OWN_FIX: Record<string, string> = {
  AnswerMaskingError: 'fixed text: a template that prints each answer once, or {% generation %} blocks',
  BufferLimitError: 'fixed text: lower minBindingBytes or use another adapter',
  ChatTemplateRaisedError: 'fixed text: change the conversation or the template',
  CheckpointLockedError: 'names the lock file to delete',
  CheckpointWriteError: 'free space / resume with resumeFrom, from the cause',
  DeviceLostError: 'fixed text: call doInit() again',
  FeatureUnsupportedError: 'from the feature: drop it from requiredFeatures or use another adapter',
  MissingTokenizerError: 'fixed text: install gpt-tokenizer',
  ModelBusyError: 'from the refused call: await the other run',
  NonFiniteLossError: 'fixed text: lower learningRate, warmup, gradientClip',
  RecordsError: 'fixed text: correct the listed records',
  ShaderF16UnsupportedError: 'fixed text: drop shader-f16 or use another adapter',
  UnsupportedGradientError: "fixed text: import '@tensorflow/tfjs' first",
  UsageError: "the CLI prints the command's usage right after it (formats/src/cli/main.ts)",
  WebBackendUnavailableError: 'fixed text: the backends to install or prefer',
  WebGPUDeviceError: 'from the kind: smaller batch for out-of-memory, a report otherwise',
};

/** Classes that take the fix as a positional argument: its index. */
const POSITIONAL_FIX: Record<string, number> = {
  DPOOptionError: 1,
  InvalidSettingError: 3,
};

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Names of TunekitError and every class that extends it, directly or not, in `sources`. */
export function tunekitErrorClasses(sources: readonly string[]): Set<string> {
  const parents = new Map<string, string>();
  for (const text of sources) {
    for (const match of text.matchAll(/\bclass (\w+) extends (\w+)/g)) parents.set(match[1] as string, match[2] as string);
  }
  const inHierarchy = (name: string, seen = new Set<string>()): boolean => {
    if (name === 'TunekitError') return true;
    const parent = parents.get(name);
    if (parent === undefined || seen.has(name)) return false;
    seen.add(name);
    return inHierarchy(parent, seen);
  };
  return new Set(['TunekitError', ...[...parents.keys()].filter((name) => inHierarchy(name))]);
}

/**
 * The top-level arguments of the call whose `(` is at `open` in `text`:
 * strings, template literals and comments are skipped, nested brackets kept.
 */
export function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  const closers: string[] = []; // '`' on top: inside a template literal's text
  let start = open + 1;
  let i = open + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (closers.at(-1) === '`') {
      if (c === '`') closers.pop();
      else if (c === '$' && text[i + 1] === '{') closers.push('}');
      i += c === '\\' || (c === '$' && text[i + 1] === '{') ? 2 : 1;
      continue;
    }
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const end = text[i + 1] === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i) + 1;
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      i += 1;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === '`') closers.push('`');
    else if (c === '(' || c === '[' || c === '{') closers.push(c === '(' ? ')' : c === '[' ? ']' : '}');
    else if ((c === ')' || c === ',') && closers.length === 0) {
      if (c === ',' || text.slice(start, i).trim() !== '') args.push(text.slice(start, i).trim());
      if (c === ')') return args;
      start = i + 1;
    } else if (c === ')' || c === ']' || c === '}') closers.pop();
    i += 1;
  }
  throw new SyntaxError(`unbalanced call at offset ${open}`);
}

/** True when the argument text passes a `fix` property (`fix: …`, `fix,` shorthand, `fix }`). */
function passesFix(args: readonly string[]): boolean {
  return args.some((arg) => /^\{[\s\S]*\bfix\s*[:,}]/.test(arg));
}

/**
 * `file:line: Class` of every construction of a TunekitError subclass that
 * passes no fix, whose class does not supply one, and that has no
 * `// no fix: <reason>` comment on its line or the line before.
 */
export function errorsWithoutFix(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const texts = new Map(files.map((file) => [file, read(file)]));
  const classes = tunekitErrorClasses([...texts.values()]);
  const found: string[] = [];
  for (const [file, text] of texts) {
    const lines = text.split('\n');
    for (const match of text.matchAll(/\bnew (\w+)\(/g)) {
      const name = match[1] as string;
      if (!classes.has(name) || name in CLASSES_WITH_OWN_FIX) continue;
      const line = text.slice(0, match.index).split('\n').length;
      const here = lines[line - 1] as string;
      if (/^\s*(\/\/|\*)/.test(here)) continue; // prose in a comment
      if (/\/\/ no fix: \S/.test(here) || /\/\/ no fix: \S/.test(lines[line - 2] ?? '')) continue;
      const args = callArguments(text, (match.index as number) + match[0].length - 1);
      const position = POSITIONAL_FIX[name];
      if (position !== undefined ? args.length > position : passesFix(args)) continue;
      found.push(`${relative(root, file)}:${line}: ${name}`);
    }
  }
  return found;
}

describe('every error says what to do', () => {
  it('every error construction in the packages passes a fix or says why not', () => {
    const packages = readdirSync(join(root, 'packages'));
    expect(packages).toContain('core');
    const files = packages.flatMap((name) => sourceFiles(join(root, 'packages', name, 'src')));
    expect(files.length).toBeGreaterThan(100);
    const found = errorsWithoutFix(files);
    expect(found).toEqual([]);
  });

  it('the classes listed as supplying their own fix do supply one', () => {
    const made: Record<string, TunekitError> = {
      AnswerMaskingError: new AnswerMaskingError('t', 'it prints answers twice'),
      BufferLimitError: new BufferLimitError(2 << 30, 1 << 30),
      ChatTemplateRaisedError: new ChatTemplateRaisedError('t', 'roles must alternate'),
      CheckpointLockedError: new CheckpointLockedError('/runs/a/.lock', 1),
      CheckpointWriteError: new CheckpointWriteError('/runs/a/checkpoint-1', 1, new RangeError('boom')),
      DeviceLostError: new DeviceLostError('unknown', ''),
      FeatureUnsupportedError: new FeatureUnsupportedError('timestamp-query'),
      MissingTokenizerError: new MissingTokenizerError('o200k_base', undefined),
      ModelBusyError: new ModelBusyError('generate()'),
      NonFiniteLossError: new NonFiniteLossError('loss', 3, Number.NaN),
      RecordsError: new RecordsError([{ file: 'a.jsonl', line: 1, message: 'missing field' }]),
      ShaderF16UnsupportedError: new ShaderF16UnsupportedError(),
      UnsupportedGradientError: new UnsupportedGradientError('GatherV2', 'batchDims 1'),
      WebBackendUnavailableError: new WebBackendUnavailableError([{ backend: 'webgpu', error: new RangeError('no adapter') }]),
      WebGPUDeviceError: new WebGPUDeviceError('out-of-memory', 'buffer'),
    };
    // UsageError's fix is the usage text the CLI prints after it.
    expect(Object.keys(made).sort()).toEqual(Object.keys(CLASSES_WITH_OWN_FIX).filter((name) => name !== 'UsageError').sort());
    for (const [name, error] of Object.entries(made)) {
      expect(error.fix, name).toMatch(/^\S.{10,}/);
      expect(error.message.endsWith(error.fix as string), name).toBe(true);
    }
  });

  it('the scan finds a construction without a fix and accepts the ways to give one', () => {
    const base = 'export class TunekitError extends Error {}\nclass AError extends TunekitError {}\nclass BError extends AError {}\nclass InvalidSettingError extends TunekitError {}\n';
    const sources: Record<string, string> = {
      [join(root, 'errors.ts')]: base,
      [join(root, 'a.ts')]: "throw new AError('boom (1');",
      [join(root, 'b.ts')]: "throw new BError(`x ${f({ a: 1 })} (`, {\n  cause,\n});",
      [join(root, 'c.ts')]: "throw new BError('boom', { fix: 'Do this.' });",
      [join(root, 'd.ts')]: "// no fix: an invariant\nthrow new AError('boom');",
      [join(root, 'e.ts')]: "throw new InvalidSettingError('lr', 1, 'positive', 'Set it.');\nthrow new InvalidSettingError('lr', 1, 'positive');",
      [join(root, 'f.ts')]: "throw new TypeError('not ours'); const fix = 'x'; throw new AError(`m ${'}'}`, { fix });",
      [join(root, 'g.ts')]: "throw new AError('a', { cause: e }); // no fix:\nthrow new AError('b'); // mentions fix: in prose",
    };
    expect(errorsWithoutFix(Object.keys(sources), (f) => sources[f] as string)).toEqual(['a.ts:1: AError', 'b.ts:1: BError', 'e.ts:2: InvalidSettingError', 'g.ts:1: AError', 'g.ts:2: AError']);
  });
});
