/**
 * Alpaca-style records → causal-LM examples: rendered with a
 * `@tunekit/formats` template into `{text, trainable}` segments, tokenised
 * segment by segment (so no token straddles the prompt/response boundary),
 * with response-only labels kept for optional prompt masking.
 */
import { alpacaLlmsFromScratchTemplate, alpacaToConversation, type AlpacaRecord, encodeSegments, render, type Template } from '@tunekit/formats';
import { gpt2Tokenizer, type Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import { type CausalLMExample, describeSource, type ExampleSource } from './examples';
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
  /** Receives the warning about examples whose response `truncate` cut off entirely. Default `console.warn`. */
  onWarning?: (message: string) => void;
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
  const responseCut: ExampleSource[] = [];
  const examples = records.map((item, index) => {
    const { record, source } = unwrapRecord(item, index, options.file);
    if (typeof record?.instruction !== 'string') throw new DataError('is missing (an Alpaca record needs a string "instruction")', { source, field: 'instruction', fix: 'Add an "instruction" string to that record, or drop the record.' });
    if (typeof record.output !== 'string') throw new DataError('is missing (an Alpaca record needs a string "output")', { source, field: 'output', fix: 'Add an "output" string to that record, or drop the record.' });
    let encoded;
    try {
      encoded = encodeSegments(render(alpacaToConversation(record), { template }), { tokenizer });
    } catch (error) {
      throw new DataError(`cannot be rendered or tokenised: ${(error as Error).message}`, { source, fix: 'Correct that record so the template can render it, or use another template.' });
    }
    const inputIds = fitLength(encoded.inputIds, options, source, 'output');
    const labels = encoded.labels.slice(0, inputIds.length);
    // labels[0] is never a target (targets are shifted by one): a response reduced to it is gone.
    if (inputIds.length < encoded.inputIds.length && labels.slice(1).every((label) => label === IGNORE_INDEX)) responseCut.push(source);
    return { inputIds, labels, source };
  });
  reportCutResponses(responseCut, examples.length, options);
  return examples;
}

/**
 * Examples whose whole response fell past `maxLength` train on nothing with
 * prompt masking (and on the prompt alone without it): they are counted and
 * reported, and refused when no example keeps any of its response.
 */
function reportCutResponses(cut: readonly ExampleSource[], total: number, options: EncodeInstructionOptions): void {
  if (cut.length === 0) return;
  const shown = cut.slice(0, 3).map((source) => describeSource(source)).join('; ');
  if (cut.length === total) {
    throw new DataError(`encodeInstructionExamples: truncate at maxLength ${options.maxLength} cut off the whole response of all ${total} examples (first: ${shown});`, { fix: 'raise maxLength or shorten the prompts' });
  }
  (options.onWarning ?? ((message: string) => console.warn(message)))(
    `encodeInstructionExamples: truncate at maxLength ${options.maxLength} cut off the whole response of ${cut.length} of ${total} examples; with maskPrompt they train on nothing: ${shown}${cut.length > 3 ? '; …' : ''}`,
  );
}
