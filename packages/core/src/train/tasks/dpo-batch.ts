/**
 * DPO batches: 2B causal-LM rows (the chosen answers, then the rejected ones)
 * whose labels mark only answer tokens, with the pairs' reference
 * log-probabilities. Examples without answer masks or reference values are
 * refused with the record named.
 */
import { type CausalLMBatch, collateCausalLM, type PadOptions } from '../../data/collate';
import { DataError } from '../../data/data-error';
import type { PreferenceExample } from '../../data/examples';

/** A DPO batch. */
export interface DpoBatch {
  /** Rows 0..B-1: prompt + chosen answer; rows B..2B-1: prompt + rejected answer. Labels are shifted and -100 outside answers. */
  rows: CausalLMBatch;
  /** B, the number of pairs. */
  pairs: number;
  /** Reference log-probabilities of the chosen answers [B]. */
  referenceChosen: number[];
  /** Reference log-probabilities of the rejected answers [B]. */
  referenceRejected: number[];
}

/** Throws a {@link DataError} unless the example has answer masks aligned with its tokens. */
export function checkAnswerMasks(example: PreferenceExample, index: number): void {
  const source = example.source ?? { file: '<data>', record: index };
  for (const side of ['chosen', 'rejected'] as const) {
    const labels = example[`${side}Labels`];
    if (!labels) throw new DataError(`has no ${side}Labels: DPO scores answer tokens only, so each side needs its answer mask;`, { source, field: `${side}Labels`, fix: 'encode the records with encodeDPOPairs' });
    if (labels.length !== example[side].length) throw new DataError(`has ${labels.length} labels for ${example[side].length} tokens`, { source, field: `${side}Labels`, fix: 'Give each side exactly one label per token, as encodeDPOPairs does.' });
  }
}

/** The rows of a pair batch, as causal-LM examples, masked to the answers. */
export function collateAnswerRows(examples: readonly PreferenceExample[], options: PadOptions = {}): CausalLMBatch {
  examples.forEach(checkAnswerMasks);
  const rows = [
    ...examples.map((e) => ({ inputIds: e.chosen, labels: e.chosenLabels, source: e.source })),
    ...examples.map((e) => ({ inputIds: e.rejected, labels: e.rejectedLabels, source: e.source })),
  ];
  return collateCausalLM(rows, { ...options, maskPrompt: true });
}

/** Pairs → a DPO batch; every example must carry reference log-probabilities made with `reduction`. */
export function collateDpo(examples: readonly PreferenceExample[], reduction: 'sum' | 'mean', options: PadOptions = {}): DpoBatch {
  if (examples.length === 0) throw new DataError('collateDpo: the batch is empty', { fix: 'Pass at least one preference pair: check that the data set is not empty.' });
  const referenceChosen: number[] = [];
  const referenceRejected: number[] = [];
  examples.forEach((example, i) => {
    const reference = example.reference;
    if (!reference || reference.reduction !== reduction) {
      const found = reference ? `reference log-probabilities made with reduction '${reference.reduction}'` : 'no reference log-probabilities';
      throw new DataError(`has ${found}; this DPO run uses '${reduction}'.`, { source: example.source ?? { file: '<batch>', record: i }, field: 'reference', fix: 'Let train() compute them, or call precomputeReferenceLogProbs with the same reduction' });
    }
    referenceChosen.push(reference.chosen);
    referenceRejected.push(reference.rejected);
  });
  return { rows: collateAnswerRows(examples, options), pairs: examples.length, referenceChosen, referenceRejected };
}
