/**
 * Alpaca-style records → causal-LM examples: rendered with a
 * `@tunekit/formats` template into `{text, trainable}` segments, tokenised
 * segment by segment (so no token straddles the prompt/response boundary),
 * with response-only labels kept for optional prompt masking.
 */
import { alpacaLlmsFromScratchTemplate, alpacaToConversation, type AlpacaRecord, encodeSegments, render, type Template } from '@tunekit/formats';
import { gpt2Tokenizer, type Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import type { CausalLMExample } from './examples';
import { type RecordInput, unwrapRecord } from './record-input';
import { segmentTokenizer } from './segment-tokenizer';
import { checkMaxLength, fitLength, type LengthOptions } from './sequence-length';

/** Options of {@link encodeInstructionExamples}. */
export interface EncodeInstructionOptions extends LengthOptions {
  /** Prompt template. Default: LLMs-from-scratch chapter 7's Alpaca variant (response followed by `<|endoftext|>`). */
  template?: Template;
  /** Tokenizer. Default GPT-2's. */
  tokenizer?: Tokenizer;
  /** File name for errors about records given without a location. Default `<records>`. */
  file?: string;
}

/**
 * Renders and tokenises instruction records. Each example keeps its source,
 * so later errors (too long for the model, say) name the file and record.
 *
 * @example
 * ```ts
 * const records = await readRecordsFromFileOrThrow('instruction-data.json', { kind: 'alpaca' }); // @tunekit/formats/node
 * const examples = encodeInstructionExamples(records, { maxLength: model.config.contextLength });
 * ```
 */
export function encodeInstructionExamples(records: readonly RecordInput<AlpacaRecord>[], options: EncodeInstructionOptions = {}): CausalLMExample[] {
  checkMaxLength(options.maxLength, 'encodeInstructionExamples');
  const template = options.template ?? alpacaLlmsFromScratchTemplate;
  const tokenizer = segmentTokenizer(options.tokenizer ?? gpt2Tokenizer);
  return records.map((item, index) => {
    const { record, source } = unwrapRecord(item, index, options.file);
    if (typeof record?.instruction !== 'string') throw new DataError('is missing (an Alpaca record needs a string "instruction")', { source, field: 'instruction' });
    if (typeof record.output !== 'string') throw new DataError('is missing (an Alpaca record needs a string "output")', { source, field: 'output' });
    let encoded;
    try {
      encoded = encodeSegments(render(alpacaToConversation(record), template), tokenizer);
    } catch (error) {
      throw new DataError(`cannot be rendered or tokenised: ${(error as Error).message}`, { source });
    }
    const inputIds = fitLength(encoded.inputIds, options, source, 'output');
    return { inputIds, labels: encoded.labels.slice(0, inputIds.length), source };
  });
}
