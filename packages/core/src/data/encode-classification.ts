/** Labelled texts → classification examples (token ids and a class index). */
import { InvalidArgumentError } from '@tunekit/formats';
import type { ClassificationRecord } from '@tunekit/formats';
import { gpt2Tokenizer, type Tokenizer } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import type { ClassificationExample } from './examples';
import { type RecordInput, unwrapRecord } from './record-input';
import { checkMaxLength, fitLength, type LengthOptions } from './sequence-length';

/** Options of {@link encodeClassificationExamples}. */
export interface EncodeClassificationOptions extends LengthOptions {
  /** The class names in index order, e.g. `['ham', 'spam']` (ham → 0, spam → 1). */
  labels: readonly (string | number)[];
  /** Tokenizer. Default GPT-2's. */
  tokenizer?: Tokenizer;
  /** File name for errors about records given without a location. Default `<records>`. */
  file?: string;
}

/**
 * Tokenises each text and maps its label to a class index. An unknown label,
 * an empty text, or (without `truncate`) a text longer than `maxLength` is a
 * {@link DataError} naming the file, line and field.
 */
export function encodeClassificationExamples(records: readonly RecordInput<ClassificationRecord>[], options: EncodeClassificationOptions): ClassificationExample[] {
  checkMaxLength(options.maxLength, 'encodeClassificationExamples');
  const classes = options.labels.map(String);
  if (classes.length < 1 || new Set(classes).size !== classes.length) {
    throw new InvalidArgumentError(`encodeClassificationExamples: labels must be distinct and non-empty, got ${JSON.stringify(options.labels)}`, { fix: 'Pass labels as a list of distinct non-empty strings, e.g. ["negative", "positive"].' });
  }
  const tokenizer = options.tokenizer ?? gpt2Tokenizer;
  return records.map((item, index) => {
    const { record, source } = unwrapRecord(item, index, options.file);
    if (typeof record?.text !== 'string' || record.text.trim() === '') throw new DataError('is missing or empty', { source, field: 'text', fix: 'Give every record a non-empty "text", or drop that record.' });
    const label = classes.indexOf(String(record.label));
    if (label < 0) throw new DataError(`"${String(record.label)}" is not one of ${classes.join(', ')}`, { source, field: 'label', fix: 'Correct the label, or add it to labels.' });
    let ids: number[];
    try {
      ids = tokenizer.encode(record.text);
    } catch (error) {
      throw new DataError(`cannot be tokenised: ${(error as Error).message}`, { source, field: 'text', fix: 'Correct that text, or drop that record.' });
    }
    return { inputIds: fitLength(ids, options, source, 'text'), label, source };
  });
}
