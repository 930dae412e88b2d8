/**
 * Locating the shared tiny-GPT-2 parity fixture and its golden values
 * (computed by an independent PyTorch implementation; see the fixture README).
 * Node only. The fixture is not shipped in the npm package (13 MB): installed
 * from npm, give its folder with `{ shared }` or `TUNEKIT_SHARED`; inside the
 * repository the `shared/` folder beside it is found on its own.
 */
import { InvalidArgumentError, UnsupportedError } from '@tunekit/formats';
import { TunekitError } from '@tunekit/formats';
// Node modules are fetched at call time (process.getBuiltinModule, Node ≥ 20.16),
// so that browser bundles of the conformance suite can include this file.
function node() {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: NodeJS.Process['getBuiltinModule'] } }).process?.getBuiltinModule;
  if (!getBuiltin) throw new UnsupportedError('The fixture helpers read files and need Node ≥ 20.16;', { fix: 'in a browser pass the fixture bytes and golden values explicitly' });
  return { fs: getBuiltin('node:fs'), path: getBuiltin('node:path') };
}
function existsSync(path: string): boolean {
  return node().fs.existsSync(path);
}
function readFileSync(path: string, encoding: 'utf8'): string {
  return node().fs.readFileSync(path, encoding);
}
function join(...parts: string[]): string {
  return node().path.join(...parts);
}
function dirname(path: string): string {
  return node().path.dirname(path);
}
function resolve(path: string): string {
  return node().path.resolve(path);
}

/** One reference sequence of `golden.json`. */
export interface GoldenSequence {
  name: string;
  text: string | null;
  ids: number[];
  length: number;
  logits_first8: number[][];
  logits_last4: number[][];
  logits_logsumexp: number[];
  argmax: number[];
  argmax_margin: number[];
  loss: number;
  greedy_10: number[] | null;
  greedy_10_margin: number[] | null;
}

/** The parts of `golden.json` the suites read. */
export interface Golden {
  sequences: GoldenSequence[];
  hidden_states_hello: Record<'embeddings' | 'block_0_out' | 'block_1_out' | 'ln_f_out', number[][]>;
  full_gradients_hello: { norms: Record<string, number>; first4: Record<string, number[]> };
  lora: {
    adapter_dir: string;
    r: number;
    lora_alpha: number;
    scaling: number;
    ids: number[];
    logits_first8: number[][];
    argmax: number[];
    loss: number;
    max_abs_logit_change_vs_base: number;
    grad_norm_h0_c_attn_lora_A: number;
    grad_norm_h0_c_attn_lora_B: number;
    grad_h0_c_attn_lora_A_first4: number[];
    grad_h0_c_attn_lora_B_first4: number[];
    grad_norms: Record<string, number>;
  };
}

/**
 * The `shared/` folder beside the repository (CI and developers have it
 * there), or `TUNEKIT_SHARED` when set. Undefined when it cannot be found.
 */
export function findSharedDirectory(start = process.cwd()): string | undefined {
  const fromEnv = process.env.TUNEKIT_SHARED;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  let directory = resolve(start);
  for (;;) {
    const candidate = join(directory, 'shared', 'fixtures');
    const sibling = join(dirname(directory), 'shared', 'fixtures');
    if (existsSync(join(directory, 'pnpm-workspace.yaml')) && existsSync(sibling)) return dirname(sibling);
    if (existsSync(candidate)) return dirname(candidate);
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Where the fixture helpers look for the `shared/` folder. */
export interface FixtureOptions {
  /** The `shared/` folder (holding `fixtures/tiny-gpt2`); default `TUNEKIT_SHARED`, else found beside the repository. */
  shared?: string;
}

/**
 * Directory of the tiny GPT-2 fixture. Throws a `TunekitError`
 * (`fixture_not_found`) naming where it looked and how to point at it.
 */
export function tinyGPT2Directory(options: FixtureOptions = {}): string {
  const given = options.shared ?? process.env.TUNEKIT_SHARED;
  const shared = given !== undefined ? resolve(given) : findSharedDirectory();
  const directory = shared && join(shared, 'fixtures', 'tiny-gpt2');
  if (!directory || !existsSync(join(directory, 'golden.json'))) {
    const looked = given !== undefined ? `in ${directory} (from ${options.shared !== undefined ? 'the shared option' : 'TUNEKIT_SHARED'})` : `beside the repository or above ${process.cwd()}`;
    throw new TunekitError('fixture_not_found', `The tiny-gpt2 fixture (fixtures/tiny-gpt2/golden.json) was not found ${looked}.`, {
      fix: 'It is not part of the npm package: pass the folder that holds fixtures/tiny-gpt2 as { shared: PATH } or set TUNEKIT_SHARED=PATH.',
    });
  }
  return directory;
}

/** Parsed `golden.json` of the tiny GPT-2 fixture. */
export function loadGolden(options: FixtureOptions = {}): Golden {
  return JSON.parse(readFileSync(join(tinyGPT2Directory(options), 'golden.json'), 'utf8')) as Golden;
}

/** A golden sequence by name (`hello`, `instruction`, `ids40`, `full_context_128`). */
export function goldenSequence(golden: Golden, options: { name: string }): GoldenSequence {
  const { name } = options;
  const sequence = golden.sequences.find((s) => s.name === name);
  if (!sequence) throw new InvalidArgumentError(`golden.json has no sequence "${name}"`, { fix: 'Use one of the sequence names in golden.json, or regenerate the fixtures.' });
  return sequence;
}

/** Largest absolute difference between two equally shaped nested arrays. */
export function maxAbsDiff(actual: ArrayLike<number> | number[][], expected: ArrayLike<number> | number[][]): number {
  const a = Array.from(actual as ArrayLike<number>).flat(2) as number[];
  const e = Array.from(expected as ArrayLike<number>).flat(2) as number[];
  if (a.length !== e.length) throw new InvalidArgumentError(`maxAbsDiff: ${a.length} values vs ${e.length} expected`, { fix: 'Compare arrays of the same length (the same tensor shape).' });
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (e[i] as number)));
  return max;
}
