/**
 * Checks of tokenised examples against the model and head, run by the
 * trainer before step 1: a token id outside the vocabulary or a label that
 * is not a class of the head would otherwise fail only when its batch is
 * drawn (steps later), named by its row in that batch.
 */
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import { DataError } from './data-error';
import type { CausalLMExample, ClassificationExample, ExampleSource, PreferenceExample } from './examples';

function sourceOf(example: { source?: ExampleSource }, index: number, what: string): ExampleSource {
  return example.source ?? { file: `<${what}>`, record: index };
}

/** Throws a {@link DataError} naming the example and field of the first id outside [0, vocabSize) (`allowIgnore`: also -100). */
function checkIds(ids: unknown, vocabSize: number, where: { source: ExampleSource; field: string }, allowIgnore = false): void {
  if (!Array.isArray(ids)) throw new DataError('is not an array of token ids', { ...where, fix: "Tokenise with the model's own tokenizer (loadModel gives it); ids must be below the model's vocabSize." });
  ids.forEach((id: unknown, position) => {
    if (allowIgnore && id === IGNORE_INDEX) return;
    if (!(typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      throw new DataError(`position ${position} holds ${String(id)}, not a token id in [0, ${vocabSize})${allowIgnore ? ` or ${IGNORE_INDEX}` : ''}`, { ...where, fix: "Tokenise with the model's own tokenizer (loadModel gives it); ids must be below the model's vocabSize." });
    }
  });
}

/** Token ids (and, with prompt masking, labels) of causal-LM examples are in the vocabulary. */
export function validateCausalLMExamples(examples: readonly CausalLMExample[], vocabSize: number, what: string): void {
  examples.forEach((example, i) => {
    const source = sourceOf(example, i, what);
    checkIds(example.inputIds, vocabSize, { source, field: 'inputIds' });
    if (example.labels !== undefined) checkIds(example.labels, vocabSize, { source, field: 'labels' }, true);
  });
}

/** Classification examples have token ids in the vocabulary and a label that is one of the head's `classes`. */
export function validateClassificationExamples(examples: readonly ClassificationExample[], vocabSize: number, classes: number, what: string): void {
  examples.forEach((example, i) => {
    const source = sourceOf(example, i, what);
    checkIds(example.inputIds, vocabSize, { source, field: 'inputIds' });
    const { label } = example;
    if (!(typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < classes)) {
      throw new DataError(`is ${String(label)}, not a class index in [0, ${classes}) of the head (numLabels ${classes});`, { source, field: 'label', fix: "encode with the head's labels or give the head more" });
    }
  });
}

/** Both sides of each preference pair are token ids in the vocabulary. */
export function validatePreferenceExamples(examples: readonly PreferenceExample[], vocabSize: number, what: string): void {
  examples.forEach((example, i) => {
    const source = sourceOf(example, i, what);
    checkIds(example.chosen, vocabSize, { source, field: 'chosen' });
    checkIds(example.rejected, vocabSize, { source, field: 'rejected' });
  });
}

/**
 * Examples that carry no loss under prompt masking: every label within the
 * first `maxLength` targets is -100 (truncation cut the whole response).
 * Returns their sources.
 */
export function examplesWithoutTargets(examples: readonly CausalLMExample[], maxLength: number | undefined, what: string): ExampleSource[] {
  const empty: ExampleSource[] = [];
  examples.forEach((example, i) => {
    if (!example.labels) return; // no labels: every token is a target
    const length = Math.min(example.inputIds.length - 1, maxLength ?? Infinity);
    // Targets are the labels shifted by one (collateCausalLM): labels[1..length].
    if (example.labels.slice(1, length + 1).every((label) => label === IGNORE_INDEX)) empty.push(sourceOf(example, i, what));
  });
  return empty;
}
