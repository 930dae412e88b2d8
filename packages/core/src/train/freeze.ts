/**
 * Choosing what trains: every variable whose `trainable` flag is set. Freezing
 * is clearing the flag, so the trainer, adapters and heads need no special
 * cases (see {@link ParameterSource}).
 */
import { InvalidArgumentError } from '@tunekit/formats';
import type { GPT2Model } from '../model/gpt2-model';
import { countTrainable, type ParameterSource } from '../model/parameter-source';

/**
 * Which parameters train: `'all'`, `'none'`, or name patterns: a string is a
 * name prefix (`'h.11.'`, `'ln_f.'`, `'score.'`), a RegExp is tested against
 * the whole name.
 */
export type TrainableSpec = 'all' | 'none' | readonly (string | RegExp)[];

/** Options of {@link freeze}. */
export interface FreezeOptions {
  /** The parameters left trainable; all others are frozen. */
  trainable: TrainableSpec;
}

/** Trainable and total parameter counts. */
export interface TrainableCounts {
  /** Parameters that train. */
  trainable: number;
  /** All parameters. */
  total: number;
  /** trainable / total × 100. */
  percent: number;
}

function matches(name: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? name.startsWith(pattern) : pattern.test(name);
}

/**
 * Sets `trainable` on every variable of the sources: true for those the spec
 * selects, false for the rest. A pattern that selects nothing is an error
 * (a typo would otherwise silently freeze everything).
 *
 * @example
 * ```ts
 * freeze([model, head], { trainable: ['h.11.', 'ln_f.', 'score.'] }); // the chapter's classifier setup
 * ```
 */
export function freeze(sources: ParameterSource | readonly ParameterSource[], options: FreezeOptions): TrainableCounts {
  const list: readonly ParameterSource[] = Array.isArray(sources) ? sources : [sources as ParameterSource];
  const spec = options.trainable;
  const named = list.flatMap((source) => [...source.parameters()]);
  if (Array.isArray(spec)) {
    for (const pattern of spec as readonly (string | RegExp)[]) {
      if (!named.some(([name]) => matches(name, pattern))) {
        const sample = named.slice(0, 3).map(([name]) => name).join(', ');
        throw new InvalidArgumentError(`freeze: pattern ${String(pattern)} matches no parameter (names look like ${sample}, …)`, { fix: 'Use patterns that match those names, or list the names with model.parameters().' });
      }
    }
  } else if (spec !== 'all' && spec !== 'none') {
    throw new InvalidArgumentError(`freeze: trainable must be 'all', 'none' or a list of name patterns, got ${String(spec)}`, { fix: "Pass trainable: 'all', 'none' or a list such as ['h.11.', 'ln_f.']." });
  }
  for (const [name, variable] of named) {
    variable.trainable = spec === 'all' || (Array.isArray(spec) && (spec as readonly (string | RegExp)[]).some((p) => matches(name, p)));
  }
  return countTrainable(list);
}

/** Options of {@link lastBlockPatterns} and {@link unfreezeLastBlocks}. */
export interface LastBlocksOptions {
  /** The model whose blocks are meant. */
  model: GPT2Model;
  /** How many of the last blocks. */
  count: number;
  /** Include the final layer norm `ln_f`. Default true. */
  finalNorm?: boolean;
}

/** Name prefixes of the last `count` blocks and, unless `finalNorm` is false, the final layer norm. */
export function lastBlockPatterns(options: LastBlocksOptions): string[] {
  const { model, count } = options;
  const layers = model.config.numLayers;
  if (!Number.isInteger(count) || count < 0 || count > layers) {
    throw new InvalidArgumentError(`lastBlockPatterns: count must be an integer in [0, ${layers}], got ${count}`, { fix: 'Pass a count from 0 to the number of blocks.' });
  }
  const patterns: string[] = [];
  for (let i = layers - count; i < layers; i++) patterns.push(`h.${i}.`);
  if (options.finalNorm ?? true) patterns.push('ln_f.');
  return patterns;
}

/**
 * Freezes the model except its last `count` blocks and the final layer norm
 * (the LLMs-from-scratch chapter 6 setup with `count = 1`). Heads are separate
 * sources and keep their own flags.
 */
export function unfreezeLastBlocks(options: LastBlocksOptions): TrainableCounts {
  const { model } = options;
  const patterns = lastBlockPatterns(options);
  return freeze(model, { trainable: patterns.length ? patterns : 'none' });
}
