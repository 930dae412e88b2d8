/**
 * Token counting with any tokenizer, GPT-2's when available.
 * @module
 */
import type { Segment } from '../templates/segments.js';

/** Any tokenizer: returns the ids (or just their number) for a text. */
export type TokenizeFn = (text: string) => readonly number[] | number;

/** Counts tokens. */
export interface TokenCounter {
  /** Tokens in a text. */
  count(text: string): number;
  /** What counts: `gpt2 (r50k_base)`, `custom`, or the estimate's label. */
  readonly name: string;
  /** False for the character-based estimate. */
  readonly exact: boolean;
}

/** Wraps any tokenizer function. */
export function tokenCounter(tokenize: TokenizeFn, name = 'custom'): TokenCounter {
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
 * The fallback when no tokenizer is available: about 4 characters per GPT-2
 * token for English text. Labelled so reports say it is an estimate.
 */
export const ESTIMATED_TOKEN_COUNTER: TokenCounter = {
  name: 'estimate (characters / 4; install gpt-tokenizer for exact GPT-2 counts)',
  exact: false,
  count: (text) => Math.ceil(text.length / 4),
};

/**
 * Resolves a counter: the given function, else GPT-2's BPE from the optional
 * `gpt-tokenizer` package (loaded on demand, never bundled), else the
 * labelled estimate.
 */
export async function resolveTokenCounter(tokenize?: TokenizeFn): Promise<TokenCounter> {
  if (tokenize) return tokenCounter(tokenize);
  try {
    // A computed specifier keeps bundlers from resolving (and requiring) the optional peer.
    const specifier = 'gpt-tokenizer/encoding/r50k_base';
    const bpe = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
      encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
    };
    // Special-looking text inside data is counted as ordinary text here;
    // special segments are counted as one token by countSegments.
    const options = { disallowedSpecial: new Set<string>() };
    return tokenCounter((text) => bpe.encode(text, options), 'gpt2 (r50k_base)');
  } catch {
    return ESTIMATED_TOKEN_COUNTER;
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
export function countSegments(segments: readonly Segment[], counter: TokenCounter): SegmentTokenCounts {
  let total = 0;
  let trainable = 0;
  for (const segment of segments) {
    const n = segment.special ? 1 : counter.count(segment.text);
    total += n;
    if (segment.trainable) trainable += n;
  }
  return { total, trainable };
}
