/** The length rule shared by the encoders: truncate when asked, otherwise refuse. */
import { InvalidArgumentError } from '@tunekit/formats';
import { DataError } from './data-error';
import type { ExampleSource } from './examples';

/** Length options shared by the encoders. */
export interface LengthOptions {
  /** Most tokens per example (e.g. the model's context length). Default: no limit. */
  maxLength?: number;
  /** Cut longer examples to `maxLength` tokens instead of failing. Default false: a longer example is a {@link DataError}. */
  truncate?: boolean;
}

/** The ids cut to `maxLength`, or a {@link DataError} naming the record when too long and not truncating. */
export function fitLength(ids: number[], options: LengthOptions, source: ExampleSource, field: string): number[] {
  const { maxLength } = options;
  if (maxLength === undefined || ids.length <= maxLength) return ids;
  if (options.truncate) return ids.slice(0, maxLength);
  throw new DataError(`is ${ids.length} tokens, longer than maxLength ${maxLength} (the context);`, { fix: 'shorten it, raise maxLength, or pass truncate: true', source, field });
}

/** Checks a `maxLength` option. */
export function checkMaxLength(maxLength: number | undefined, what: string): void {
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 1)) {
    throw new InvalidArgumentError(`${what}: maxLength must be a positive integer, got ${maxLength}`, { fix: 'Pass maxLength as a whole number ≥ 1, at most the model context (1024 for GPT-2).' });
  }
}
