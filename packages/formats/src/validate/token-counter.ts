/**
 * Token counting with any tokenizer, OpenAI's encodings (GPT-2's by
 * default) when the optional `gpt-tokenizer` package is installed.
 * @module
 */
import { TunekitError } from '../errors/tunekit-error.js';
import type { Segment } from '../templates/segments.js';

/** Any tokenizer: returns the ids (or just their number) for a text. */
export type TokenizeFn = (text: string) => readonly number[] | number;

/** Counts tokens. */
export interface TokenCounter {
  /** Tokens in a text. */
  count(text: string): number;
  /** What counts: `gpt2 (r50k_base)`, `cl100k_base`, `o200k_base`, `custom`, or the estimate's label. */
  readonly name: string;
  /** False for the character-based estimate. */
  readonly exact: boolean;
}

/** Wraps any tokenizer function. */
export function tokenCounter(tokenize: TokenizeFn, options: { name?: string } = {}): TokenCounter {
  const name = options.name ?? 'custom';
  return {
    name,
    exact: true,
    count: (text) => {
      const result = tokenize(text);
      return typeof result === 'number' ? result : result.length;
    },
  };
}

/**
 * The fallback when no tokenizer is available: about 4 characters per
 * token for English text. Labelled so reports say it is an estimate.
 */
export const ESTIMATED_TOKEN_COUNTER: TokenCounter = {
  name: 'estimate (characters / 4; install gpt-tokenizer for exact counts)',
  exact: false,
  count: (text) => Math.ceil(text.length / 4),
};

/**
 * OpenAI's BPE encodings `gpt-tokenizer` provides: `r50k_base` is GPT-2's
 * (what tunekit trains), `cl100k_base` the one the OpenAI cookbook counts
 * chat data with (GPT-3.5/GPT-4), `o200k_base` GPT-4o's.
 */
export const OPENAI_ENCODINGS = ['r50k_base', 'cl100k_base', 'o200k_base'] as const;

/** One of {@link OPENAI_ENCODINGS}. */
export type OpenAIEncoding = (typeof OPENAI_ENCODINGS)[number];

/** How counters name each encoding in reports. */
const ENCODING_LABELS: Record<OpenAIEncoding, string> = {
  r50k_base: 'gpt2 (r50k_base)',
  cl100k_base: 'cl100k_base',
  o200k_base: 'o200k_base',
};

/** Loads a module by specifier; injectable so tests can make the optional peer "missing". */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

// A computed specifier keeps bundlers from resolving (and requiring) the optional peer.
const importModule: ModuleImporter = async (specifier) => await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

/** The optional `gpt-tokenizer` package is not installed, and an exact encoding was asked for. */
export class MissingTokenizerError extends TunekitError {
  /** Builds the error for the encoding that could not be loaded. */
  constructor(encoding: OpenAIEncoding, cause: unknown) {
    super('missing_dependency', `Counting ${encoding} tokens needs the optional package gpt-tokenizer, which is not installed.`, {
      fix: 'Install it next to @tunekit/formats (npm install gpt-tokenizer), or leave the encoding unset for a labelled estimate.',
      cause,
    });
  }
}

/**
 * A counter for one of OpenAI's encodings, loaded on demand from the
 * optional `gpt-tokenizer` package (never bundled).
 *
 * @throws {@link MissingTokenizerError} when `gpt-tokenizer` is not installed.
 */
export async function encodingCounter(encoding: OpenAIEncoding, options: { importer?: ModuleImporter } = {}): Promise<TokenCounter> {
  const importer = options.importer ?? importModule;
  let bpe: { encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[] };
  try {
    bpe = (await importer(`gpt-tokenizer/encoding/${encoding}`)) as typeof bpe;
  } catch (cause) {
    throw new MissingTokenizerError(encoding, cause);
  }
  // Special-looking text inside data is counted as ordinary text here;
  // special segments are counted as one token by countSegments.
  const encodeOptions = { disallowedSpecial: new Set<string>() };
  return tokenCounter((text) => bpe.encode(text, encodeOptions), { name: ENCODING_LABELS[encoding] });
}

/**
 * Resolves a counter: the given function, else the encoding (default GPT-2's
 * `r50k_base`) from the optional `gpt-tokenizer` package, else the labelled
 * estimate when that package is not installed.
 */
export async function resolveTokenCounter(options: { tokenize?: TokenizeFn; encoding?: OpenAIEncoding; importer?: ModuleImporter } = {}): Promise<TokenCounter> {
  const { tokenize, encoding = 'r50k_base', importer } = options;
  if (tokenize) return tokenCounter(tokenize);
  try {
    return await encodingCounter(encoding, { importer });
  } catch (e) {
    if (e instanceof MissingTokenizerError) return ESTIMATED_TOKEN_COUNTER;
    throw e;
  }
}

/** Token counts of one rendering. */
export interface SegmentTokenCounts {
  /** All tokens. */
  total: number;
  /** Tokens of trainable segments. */
  trainable: number;
}

/** Total and trainable tokens of a rendering; a special segment is one token. */
export function countSegments(segments: readonly Segment[], options: { counter: TokenCounter }): SegmentTokenCounts {
  const { counter } = options;
  let total = 0;
  let trainable = 0;
  for (const segment of segments) {
    const n = segment.special ? 1 : counter.count(segment.text);
    total += n;
    if (segment.trainable) trainable += n;
  }
  return { total, trainable };
}
