/**
 * Preference records (`instruction-data-with-preference.json`: an Alpaca
 * prompt with `chosen` and `rejected` answers) → token pairs for a reward model.
 */
import { alpacaLlmsFromScratchTemplate, encodeSegments, type PreferenceRecord, preferenceToPair, renderPreference, type Template } from '@tunekit/formats';
import { gpt2Tokenizer, type Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import type { PreferenceExample } from './examples';
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

/** Renders both sides of each pair with one template and tokenises them. */
export function encodePreferenceExamples(records: readonly RecordInput<PreferenceRecord>[], options: EncodePreferenceOptions = {}): PreferenceExample[] {
  checkMaxLength(options.maxLength, 'encodePreferenceExamples');
  const template = options.template ?? alpacaLlmsFromScratchTemplate;
  const tokenizer = segmentTokenizer(options.tokenizer ?? gpt2Tokenizer);
  return records.map((item, index) => {
    const { record, source } = unwrapRecord(item, index, options.file);
    for (const field of ['chosen', 'rejected'] as const) {
      if (record?.[field] === undefined) throw new DataError('is missing (a preference record needs "chosen" and "rejected")', { source, field });
    }
    const pair = preferenceToPair(record);
    if (!pair.ok) throw new DataError(pair.message, { source, field: pair.field });
    let rendered;
    try {
      rendered = renderPreference(pair.value, template);
    } catch (error) {
      throw new DataError(`cannot be rendered: ${(error as Error).message}`, { source });
    }
    const chosen = fitLength(encodeSegments(rendered.chosen, tokenizer).inputIds, options, source, 'chosen');
    const rejected = fitLength(encodeSegments(rendered.rejected, tokenizer).inputIds, options, source, 'rejected');
    return { chosen, rejected, source };
  });
}
