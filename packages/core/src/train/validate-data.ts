/** The trainer's checks of its data, before step 1. */
import { DataError } from '../data/data-error';
import { type CausalLMExample, type ClassificationExample, describeSource, type PreferenceExample } from '../data/examples';
import { examplesWithoutTargets, validateCausalLMExamples, validateClassificationExamples, validatePreferenceExamples } from '../data/validate-examples';
import type { TrainOptions } from './trainer';

/**
 * Checks every example against the vocabulary and the head before step 1,
 * naming the record: a bad id or label would otherwise fail when its batch is
 * drawn. With prompt masking, examples whose response was cut off entirely
 * train on nothing: they are counted and reported, and refused when no
 * example is left to learn from.
 */
export function validateData(options: TrainOptions, trainData: readonly unknown[], valData: readonly unknown[] | undefined, vocabSize: number, warn: (message: string) => void): void {
  for (const [what, data] of [['trainData', trainData], ['valData', valData]] as const) {
    if (!data) continue;
    if (options.task === 'causal-lm') validateCausalLMExamples(data as CausalLMExample[], vocabSize, what);
    else if (options.task === 'classification') validateClassificationExamples(data as ClassificationExample[], vocabSize, options.head.outputDim, what);
    else if (options.task === 'reward') validatePreferenceExamples(data as PreferenceExample[], vocabSize, what);
  }
  if (options.task !== 'causal-lm' || !options.collate?.maskPrompt) return;
  const empty = examplesWithoutTargets(trainData as CausalLMExample[], options.collate.maxLength, 'trainData');
  if (empty.length === trainData.length) {
    throw new DataError(`trainData: none of its ${trainData.length} examples has a response token left to train on with maskPrompt (first: ${describeSource(empty[0])}); truncation cut every response.`, { fix: 'Raise maxLength, shorten the prompts, or train without maskPrompt' });
  }
  if (empty.length > 0) {
    const shown = empty.slice(0, 3).map((source) => describeSource(source)).join('; ');
    warn(`trainData: ${empty.length} of ${trainData.length} examples have no response token left with maskPrompt (truncation cut it) and train on nothing: ${shown}${empty.length > 3 ? '; …' : ''}`);
  }
}
