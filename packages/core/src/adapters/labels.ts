/**
 * Labels under prompt tuning. The transformer output gains P virtual
 * positions in front of the real ones, so per-position labels need P leading
 * ignore labels (PEFT prefixes them with `full((B, P), -100)`). Prefix tuning
 * adds keys and values only, so its outputs and labels keep their length.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import type { GPT2Model } from '../model/gpt2-model';
import type { ForwardHooks } from '../model/hooks';

/** Positions the hooks prepend to the transformer's output: the prompt-tuning length, else 0. */
export function virtualTokenCount(source: GPT2Model | ForwardHooks | undefined): number {
  const hooks = source && 'params' in source ? source.hooks : source;
  return hooks?.promptEmbeddings?.length ?? 0;
}

/** Each row of labels with `count` ignore labels (-100) in front. */
export function prependIgnoreLabels(labels: readonly (readonly number[])[], options: { count: number }): number[][] {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError(`prependIgnoreLabels: count must be a non-negative integer, got ${count}`, { fix: 'Pass the number of virtual tokens (a whole number ≥ 0).' });
  const pad = new Array<number>(count).fill(IGNORE_INDEX);
  return labels.map((row) => [...pad, ...row]);
}
