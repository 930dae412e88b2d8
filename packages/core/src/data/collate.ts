/**
 * Batching token sequences: right padding, shifted labels, and the lengths
 * that pooling needs. Padding is never inferred from the pad id, because
 * GPT-2 pads with `<|endoftext|>` (50256), which is also a real token.
 */
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import { END_OF_TEXT_ID } from '../tokenizer/gpt2-tokenizer';
import { DataError } from './data-error';
import type { CausalLMExample, ClassificationExample, ExampleSource, PreferenceExample } from './examples';

/** Options shared by the collators. */
export interface PadOptions {
  /** Id written into padding positions. Default 50256 (`<|endoftext|>`), as the chapters do. */
  padTokenId?: number;
  /** Most input tokens per row; longer rows are cut (chapter 7's `allowed_max_length`). Default: no limit. */
  maxLength?: number;
}

/** Options of {@link collateCausalLM}. */
export interface CausalLMCollateOptions extends PadOptions {
  /** Label of positions without loss. Default -100. */
  ignoreIndex?: number;
  /** Put loss on response tokens only, using each example's `labels`. Default false (chapter 7 trains on every token). */
  maskPrompt?: boolean;
}

/** A causal-LM batch. */
export interface CausalLMBatch {
  /** Input ids [B, T], right-padded. */
  inputIds: number[][];
  /** Targets [B, T], already shifted (row t holds the id of token t+1), ignore index where there is no loss. */
  labels: number[][];
  /** Real input tokens per row. */
  lengths: number[];
  /** Positions that carry loss. */
  targetCount: number;
}

function padRow(ids: readonly number[], width: number, pad: number): number[] {
  const row = ids.slice(0, width);
  while (row.length < width) row.push(pad);
  return row;
}

/**
 * Collates causal-LM examples as LLMs-from-scratch chapter 7's
 * `custom_collate_fn` does: inputs are the sequence without its last token,
 * targets the sequence without its first, padding is `padTokenId` in inputs
 * and `ignoreIndex` in targets. The chapter appends one `<|endoftext|>` and
 * keeps the first one as a target; here that EOS is part of each example (the
 * template renders it), so it is a real target and all padding is ignored —
 * the same tensors. With `maskPrompt`, prompt tokens get `ignoreIndex` too.
 *
 * @example
 * ```ts
 * collateCausalLM([{ inputIds: [1, 2, 3, 50256] }, { inputIds: [4, 5, 50256] }]);
 * // inputIds [[1, 2, 3], [4, 5, 50256]], labels [[2, 3, 50256], [5, 50256, -100]], lengths [3, 2]
 * ```
 */
export function collateCausalLM(batch: readonly CausalLMExample[], options: CausalLMCollateOptions = {}): CausalLMBatch {
  const pad = options.padTokenId ?? END_OF_TEXT_ID;
  const ignore = options.ignoreIndex ?? IGNORE_INDEX;
  if (batch.length === 0) throw new DataError('collateCausalLM: the batch is empty', { fix: 'Pass at least one example: check that the data set is not empty.' });
  const lengths = batch.map((example, i) => {
    if (example.inputIds.length < 2) {
      throw new DataError(`has ${example.inputIds.length} token(s); a causal-LM example needs at least 2 (an input and a target)`, { source: example.source ?? { file: '<batch>', record: i }, fix: 'Drop examples shorter than 2 tokens before training (validateExamples reports them).' });
    }
    if (options.maskPrompt && example.labels && example.labels.length !== example.inputIds.length) {
      throw new DataError(`has ${example.labels.length} labels for ${example.inputIds.length} tokens`, { source: example.source ?? { file: '<batch>', record: i }, field: 'labels', fix: 'Give labels exactly one entry per input token (or leave labels out).' });
    }
    return Math.min(example.inputIds.length - 1, options.maxLength ?? Infinity);
  });
  const width = Math.max(...lengths);
  let targetCount = 0;
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  batch.forEach((example, b) => {
    const length = lengths[b] as number;
    inputIds.push(padRow(example.inputIds.slice(0, length), width, pad));
    const source = options.maskPrompt && example.labels ? example.labels : example.inputIds;
    const targets = source.slice(1, length + 1).map((id) => (id === IGNORE_INDEX ? ignore : id));
    targetCount += targets.filter((id) => id !== ignore).length;
    labels.push(padRow(targets, width, ignore));
  });
  return { inputIds, labels, lengths, targetCount };
}

/** A classification batch. */
export interface ClassificationBatch {
  /** Input ids [B, T], right-padded. */
  inputIds: number[][];
  /** Real tokens per row: the classifier reads position `length − 1`. */
  lengths: number[];
  /** Class index per row. */
  labels: number[];
}

/** Options of {@link collateClassification}. */
export interface ClassificationCollateOptions extends PadOptions {
  /** Pad every batch to this width (chapter 6 pads to the longest training text); default: the batch's longest row. */
  padTo?: number;
}

/** Right-pads texts to a common width and records their lengths. */
export function collateClassification(batch: readonly ClassificationExample[], options: ClassificationCollateOptions = {}): ClassificationBatch {
  if (batch.length === 0) throw new DataError('collateClassification: the batch is empty', { fix: 'Pass at least one example: check that the data set is not empty.' });
  const pad = options.padTokenId ?? END_OF_TEXT_ID;
  const lengths = batch.map((example, i) => {
    if (example.inputIds.length === 0) throw new DataError('has no tokens', { source: example.source ?? { file: '<batch>', record: i }, field: 'text', fix: 'Drop records with empty text before training (validateExamples reports them).' });
    return Math.min(example.inputIds.length, options.maxLength ?? Infinity);
  });
  const width = Math.max(...lengths, Math.min(options.padTo ?? 0, options.maxLength ?? Infinity));
  return {
    inputIds: batch.map((example, b) => padRow(example.inputIds.slice(0, lengths[b]), width, pad)),
    lengths,
    labels: batch.map((example) => example.label),
  };
}

/** A preference batch: the chosen rows, then the rejected rows, padded together. */
export interface PreferenceBatch {
  /** Input ids [2B, T]: rows 0..B-1 chosen, rows B..2B-1 rejected. */
  inputIds: number[][];
  /** Real tokens per row (2B). */
  lengths: number[];
  /** B, the number of pairs. */
  pairs: number;
}

/** Stacks chosen and rejected sequences into one right-padded batch. */
export function collatePreferences(batch: readonly PreferenceExample[], options: PadOptions = {}): PreferenceBatch {
  if (batch.length === 0) throw new DataError('collatePreferences: the batch is empty', { fix: 'Pass at least one example: check that the data set is not empty.' });
  const pad = options.padTokenId ?? END_OF_TEXT_ID;
  const rows = [...batch.map((p) => p.chosen), ...batch.map((p) => p.rejected)];
  const lengths = rows.map((ids, i) => {
    if (ids.length === 0) throw new DataError(`has an empty ${i < batch.length ? 'chosen' : 'rejected'} sequence`, { source: batch[i % batch.length]?.source, fix: 'Give every pair a non-empty chosen and rejected answer, or drop that pair.' });
    return Math.min(ids.length, options.maxLength ?? Infinity);
  });
  const width = Math.max(...lengths);
  return { inputIds: rows.map((ids, r) => padRow(ids.slice(0, lengths[r]), width, pad)), lengths, pairs: batch.length };
}

/** Throws a {@link DataError} naming the first example whose model input would exceed `limit` tokens. */
export function checkInputLengths(lengths: readonly { length: number; source?: ExampleSource }[], options: { limit: number; what: string }): void {
  const { limit, what } = options;
  lengths.forEach(({ length, source }, i) => {
    if (length > limit) {
      throw new DataError(`${what}: ${length} input tokens exceed the model's context of ${limit};`, { fix: 'shorten the example or encode with maxLength/truncate', source: source ?? { file: '<data>', record: i } });
    }
  });
}
