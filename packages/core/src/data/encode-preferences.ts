/**
 * Preference records (`instruction-data-with-preference.json`: an Alpaca
 * prompt with `chosen` and `rejected` answers) → token pairs, for a reward
 * model ({@link encodePreferenceExamples}) or for DPO ({@link encodeDPOPairs},
 * which also checks what DPO cannot learn from).
 */
import { alpacaLlmsFromScratchTemplate, encodeSegments, type PreferenceRecord, preferenceToPair, renderPreference, type Template } from '@tunekit/formats';
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import { gpt2Tokenizer, type Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import type { ExampleSource, PreferenceExample } from './examples';
import { type RecordInput, unwrapRecord } from './record-input';
import { segmentTokenizer } from './segment-tokenizer';
import { checkMaxLength, fitLength, type LengthOptions } from './sequence-length';

/** Options of {@link encodePreferenceExamples}. */
export interface EncodePreferenceOptions extends LengthOptions {
  /** Prompt template. Default: LLMs-from-scratch chapter 7's Alpaca variant. */
  template?: Template;
  /** Tokenizer. Default GPT-2's. */
  tokenizer?: Tokenizer;
  /** File name for errors about records given without a location. Default `<records>`. */
  file?: string;
}

type Side = 'chosen' | 'rejected';

/** One record → its pair (not yet cut to `maxLength`); a {@link DataError} names the record and field when it is malformed. */
function encodeRecord(item: RecordInput<PreferenceRecord>, index: number, options: EncodePreferenceOptions, tokenizer: ReturnType<typeof segmentTokenizer>): Required<Pick<PreferenceExample, 'chosen' | 'rejected' | 'chosenLabels' | 'rejectedLabels'>> & { source: ExampleSource } {
  const { record, source } = unwrapRecord(item, index, options.file);
  for (const field of ['chosen', 'rejected'] as const) {
    if (record?.[field] === undefined) throw new DataError('is missing (a preference record needs "chosen" and "rejected")', { source, field, fix: 'Add both "chosen" and "rejected" to that record, or drop it.' });
  }
  const pair = preferenceToPair(record);
  if (!pair.ok) throw new DataError(pair.message, { source, field: pair.field, fix: 'Correct that field of the record, or drop the record.' });
  let rendered;
  try {
    rendered = renderPreference(pair.value, { template: options.template ?? alpacaLlmsFromScratchTemplate });
  } catch (error) {
    throw new DataError(`cannot be rendered: ${(error as Error).message}`, { source, fix: 'Correct that record so the template can render it, or use another template.' });
  }
  const chosen = encodeSegments(rendered.chosen, { tokenizer });
  const rejected = encodeSegments(rendered.rejected, { tokenizer });
  return { chosen: chosen.inputIds, chosenLabels: chosen.labels, rejected: rejected.inputIds, rejectedLabels: rejected.labels, source };
}

/**
 * Renders both sides of each pair with one template and tokenises them; each
 * side's labels mark its answer tokens (the prompt is -100).
 */
export function encodePreferenceExamples(records: readonly RecordInput<PreferenceRecord>[], options: EncodePreferenceOptions = {}): PreferenceExample[] {
  checkMaxLength(options.maxLength, 'encodePreferenceExamples');
  const tokenizer = segmentTokenizer(options.tokenizer ?? gpt2Tokenizer);
  return records.map((item, index) => {
    const encoded = encodeRecord(item, index, options, tokenizer);
    const { source } = encoded;
    const chosen = fitLength(encoded.chosen, options, source, 'chosen');
    const rejected = fitLength(encoded.rejected, options, source, 'rejected');
    return { chosen, rejected, chosenLabels: encoded.chosenLabels.slice(0, chosen.length), rejectedLabels: encoded.rejectedLabels.slice(0, rejected.length), source };
  });
}

/** Why {@link encodeDPOPairs} left a record out. */
export type DPOSkipReason = 'identical' | 'no-answer-after-truncation';

/** A record {@link encodeDPOPairs} left out, and why. */
export interface SkippedPair {
  /** The record. */
  source: ExampleSource;
  /** `identical`: chosen and rejected are the same tokens (the DPO loss is the constant log 2, with no gradient); `no-answer-after-truncation`: the prompt alone fills `maxLength`. */
  reason: DPOSkipReason;
}

/** Pairs for DPO, and the records left out. */
export interface DPOPairs {
  /** The pairs, with answer masks. */
  examples: PreferenceExample[];
  /** Records skipped, in order (count them with `skipped.length`). */
  skipped: SkippedPair[];
}

function answerTokens(labels: readonly number[]): number {
  return labels.reduce((n, label) => n + (label === IGNORE_INDEX ? 0 : 1), 0);
}

function isBlank(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every((m) => typeof (m as { content?: unknown })?.content !== 'string' || (m as { content: string }).content.trim() === '');
  return false;
}

/**
 * Preference records → DPO pairs. Errors (a {@link DataError} naming the
 * record and field, before any training): a missing `chosen`/`rejected`, an
 * empty answer, and — without `truncate` — a side longer than `maxLength`.
 * Counted skips (in `skipped`): pairs whose two sides are identical, and,
 * with `truncate`, pairs whose prompt leaves no answer token.
 *
 * Truncation rule: each side is cut from its end to `maxLength` tokens, so
 * the prompt stays whole and the answer loses its tail (the chapter's
 * `allowed_max_length` cut, applied per side).
 *
 * @example
 * ```ts
 * const { examples, skipped } = encodeDPOPairs(records, { maxLength: 1024, truncate: true });
 * console.log(`${examples.length} pairs, ${skipped.length} skipped`);
 * ```
 */
export function encodeDPOPairs(records: readonly RecordInput<PreferenceRecord>[], options: EncodePreferenceOptions = {}): DPOPairs {
  checkMaxLength(options.maxLength, 'encodeDPOPairs');
  const tokenizer = segmentTokenizer(options.tokenizer ?? gpt2Tokenizer);
  const examples: PreferenceExample[] = [];
  const skipped: SkippedPair[] = [];
  records.forEach((item, index) => {
    const encoded = encodeRecord(item, index, options, tokenizer);
    const { source } = encoded;
    const record = unwrapRecord(item, index, options.file).record;
    for (const side of ['chosen', 'rejected'] as Side[]) {
      if (isBlank(record[side])) throw new DataError('is empty: DPO needs a non-empty answer on both sides', { source, field: side, fix: 'Give both answers some text, or drop that pair.' });
    }
    if (encoded.chosen.length === encoded.rejected.length && encoded.chosen.every((id, i) => id === encoded.rejected[i])) {
      skipped.push({ source, reason: 'identical' });
      return;
    }
    const chosen = fitLength(encoded.chosen, options, source, 'chosen');
    const rejected = fitLength(encoded.rejected, options, source, 'rejected');
    const chosenLabels = encoded.chosenLabels.slice(0, chosen.length);
    const rejectedLabels = encoded.rejectedLabels.slice(0, rejected.length);
    // Log-probabilities are scored from the second token on, so an answer token at position 0 would not count.
    if (answerTokens(chosenLabels.slice(1)) === 0 || answerTokens(rejectedLabels.slice(1)) === 0) {
      skipped.push({ source, reason: 'no-answer-after-truncation' });
      return;
    }
    examples.push({ chosen, rejected, chosenLabels, rejectedLabels, source });
  });
  return { examples, skipped };
}
