/**
 * The LLMs-from-scratch chapter 7 bonus, "DPO for preference tuning": first
 * instruction-tune on the `output` answers, then tune the result with DPO
 * (β 0.1) on the `chosen`/`rejected` answers of
 * `instruction-data-with-preference.json`, and measure the implicit reward
 * accuracy and margin on held-out pairs before and after.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DPOOptions, encodeDPOPairs, encodeInstructionExamples, evaluate, type EvalMetrics, freeze, type GPT2Config, type PreferenceExample,
  precomputeReferenceLogProbs, saveModel, train,
} from '@tunekit/core';
import { readRecordsOrThrow } from '@tunekit/formats';
import { chapterOptimizer, chapterSplit } from '../common/chapter-settings';
import { readSplitData } from '../common/data-split';
import { exampleModel } from '../common/model';
import { type ExampleOptions, startExample } from '../common/options';
import { runCallbacks } from '../common/reporting';

/** The chapter's preference data. */
export const PREFERENCE_DATA = {
  name: 'instruction-data-with-preference.json',
  urls: ['https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/04_preference-tuning-with-dpo/instruction-data-with-preference.json'],
} as const;

/** The default model: small enough for both stages in a few minutes on two CPU cores. */
export const TINY_DPO: Partial<GPT2Config> = { numLayers: 4, embeddingDim: 128, numHeads: 4, contextLength: 256 };

/** Options of {@link runPreferenceDpo}: the common ones and its own (two training stages, so no `epochs`/`learningRate`). */
export interface PreferenceDpoOptions extends ExampleOptions {
  /** Updates of the instruction-tuning stage. Default: 1 epoch with `--model`, 120 for the tiny model. 0 skips it. */
  sftSteps?: number;
  /** Learning rate of the instruction-tuning stage. Default 5e-5 with `--model`, 1e-3 for the tiny model. */
  sftLearningRate?: number;
  /** Updates of the DPO stage. Default: 1 epoch with `--model` (the chapter's), 120 for the tiny model. */
  dpoSteps?: number;
  /** Learning rate of the DPO stage. Default 5e-6 with `--model` (the chapter's), 1e-3 for the tiny model. */
  dpoLearningRate?: number;
  /** DPO settings. Default β 0.1, sigmoid, `'mean'` reduction (the chapter's notebook averages log-probabilities). */
  dpo?: DPOOptions;
  /** Pairs per batch (both stages). Default 8 (the chapter's). */
  batchSize?: number;
  /** Evaluate every N DPO updates. Default 5 with `--model` (the chapter's), 20 for the tiny model. */
  evalEvery?: number;
}

/** Reward metrics on one set of pairs. */
export interface RewardSummary {
  /** Share of pairs whose chosen reward is higher. */
  accuracy: number;
  /** Mean reward margin, β·((πc − refc) − (πr − refr)). */
  margin: number;
  /** Mean DPO loss (log 2 = 0.693 while the policy equals the reference). */
  loss: number;
  /** Share of pairs where the policy itself gives the chosen answer the higher (mean) log-probability, reference aside. */
  preferenceAccuracy: number;
}

/** What a run measured and wrote. */
export interface PreferenceDpoResult {
  /** Pairs in each split, and records skipped by `encodeDPOPairs` (identical answers, …). */
  sizes: { train: number; val: number; test: number; skipped: number };
  /** Instruction-tuning stage: validation loss before and after. */
  sft: { steps: number; valLoss: { before: number; after: number } };
  /** Held-out (test) pairs before and after DPO. */
  heldOut: { before: RewardSummary; after: RewardSummary };
  /** Validation pairs before and after DPO. */
  val: { before: RewardSummary; after: RewardSummary };
  dpoSteps: number;
  files: { log: string; plot: string; model: string };
}

/** The policy's own preference: the share of pairs with log π(c) > log π(r), answer tokens averaged. */
async function preferenceAccuracy(model: Parameters<typeof precomputeReferenceLogProbs>[0]['model'], pairs: readonly PreferenceExample[]): Promise<number> {
  const scored = await precomputeReferenceLogProbs({ model, data: pairs.map(({ reference: _, ...pair }) => pair), reduction: 'mean' });
  return scored.filter((p) => (p.reference as { chosen: number; rejected: number }).chosen > (p.reference as { rejected: number }).rejected).length / scored.length;
}

function summary(metrics: EvalMetrics, preference: number): RewardSummary {
  return { accuracy: metrics.accuracy, margin: metrics.metrics?.['rewards/margin'] ?? Number.NaN, loss: metrics.loss, preferenceAccuracy: preference };
}

/** Runs instruction tuning, then DPO, end to end. */
export async function runPreferenceDpo(options: PreferenceDpoOptions = {}): Promise<PreferenceDpoResult> {
  const { print, seed, out } = await startExample('preference-dpo', options);

  // Data first: a bad file fails before anything is trained or written. The
  // notebook splits 85/10/5 in file order, as chapter 7.
  const limitedChapterSplit = <T>(all: readonly T[]) => {
    const parts = chapterSplit(all);
    return { ...parts, train: parts.train.slice(0, options.trainLimit) };
  };
  const { file, records, splits: split } = await readSplitData(PREFERENCE_DATA, 'preference', options, limitedChapterSplit);
  const trainRecords = split.train;
  const answers = await readRecordsOrThrow(await readFile(file, 'utf8'), { kind: 'alpaca', file }); // the same records, read for their `output`
  const sftSplit = chapterSplit(answers);

  const { model, description, pretrained } = await exampleModel(options.model, options.tiny ?? TINY_DPO, seed);
  try {
    print(`model: ${description}`);
    freeze(model, { trainable: 'all' });
    const maxLength = model.config.contextLength;
    const encode = (part: typeof records) => encodeDPOPairs(part, { maxLength, truncate: true, file });
    const pairs = { train: encode(trainRecords), val: encode(split.val), test: encode(split.test) };
    const skipped = pairs.train.skipped.length + pairs.val.skipped.length + pairs.test.skipped.length;
    print(`data: ${records.length} records → train/val/test pairs ${pairs.train.examples.length}/${pairs.val.examples.length}/${pairs.test.examples.length}, ${skipped} skipped (${[...pairs.train.skipped, ...pairs.val.skipped, ...pairs.test.skipped].map((s) => `record ${s.source.record}: ${s.reason}`).join(', ')})`);
    const batchSize = options.batchSize ?? 8;

    // Stage 1: instruction tuning on the reference answers (`output`), as chapter 7.
    const sftData = { train: encodeInstructionExamples(sftSplit.train.slice(0, options.trainLimit), { maxLength, truncate: true, file }), val: encodeInstructionExamples(sftSplit.val, { maxLength, truncate: true, file }) };
    const sftSteps = options.sftSteps ?? (pretrained ? Math.floor(sftData.train.length / batchSize) : 120);
    let sftLoss = { before: Number.NaN, after: Number.NaN };
    if (sftSteps > 0) {
      const sft = runCallbacks(join(out, 'sft'), 'Instruction tuning', options.progress ?? false);
      const result = await train({
        model, task: 'causal-lm', trainData: sftData.train, valData: sftData.val, collate: { maskPrompt: !pretrained }, batchSize, maxSteps: sftSteps,
        optimizer: chapterOptimizer(options.sftLearningRate ?? (pretrained ? 5e-5 : 1e-3)), evalEvery: sftSteps, evalBatches: 5, seed, callbacks: sft.callbacks,
      });
      sftLoss = { before: result.evals[0]?.val?.loss ?? Number.NaN, after: result.evals.at(-1)?.val?.loss ?? Number.NaN };
      print(`instruction tuning: ${result.step} steps, validation loss ${sftLoss.before.toFixed(3)} → ${sftLoss.after.toFixed(3)}`);
    }

    // Stage 2: DPO. The reference is the instruction-tuned model; its log-probabilities of every pair are taken now, before any DPO update.
    const dpo: DPOOptions = { beta: 0.1, reduction: 'mean', ...options.dpo };
    const reduction = dpo.reduction ?? 'sum';
    const [trainPairs, valPairs, testPairs] = await Promise.all([pairs.train.examples, pairs.val.examples, pairs.test.examples].map((data) => precomputeReferenceLogProbs({ model, data, reduction })));
    const measure = async (data: PreferenceExample[]) => summary(await evaluate({ model, task: 'dpo', dpo, data }), await preferenceAccuracy(model, data));
    const before = { test: await measure(testPairs!), val: await measure(valPairs!) };
    const dpoSteps = options.dpoSteps ?? (pretrained ? Math.floor(trainPairs!.length / batchSize) : 120);
    const { callbacks, files } = runCallbacks(out, 'DPO', options.progress ?? false);
    const result = await train({
      model, task: 'dpo', dpo, trainData: trainPairs!, valData: valPairs!, batchSize, maxSteps: dpoSteps,
      optimizer: chapterOptimizer(options.dpoLearningRate ?? (pretrained ? 5e-6 : 1e-3)), evalEvery: options.evalEvery ?? (pretrained ? 5 : 20), evalBatches: 5, seed, callbacks,
    });
    const after = { test: await measure(testPairs!), val: await measure(valPairs!) };
    const line = (name: string, b: RewardSummary, a: RewardSummary) =>
      `${name}: reward accuracy ${(100 * b.accuracy).toFixed(1)}% → ${(100 * a.accuracy).toFixed(1)}%, margin ${b.margin.toFixed(4)} → ${a.margin.toFixed(4)}, DPO loss ${b.loss.toFixed(4)} → ${a.loss.toFixed(4)}, policy prefers chosen ${(100 * b.preferenceAccuracy).toFixed(1)}% → ${(100 * a.preferenceAccuracy).toFixed(1)}%`;
    print(line(`held-out test pairs (${testPairs!.length})`, before.test, after.test));
    print(line(`validation pairs (${valPairs!.length})`, before.val, after.val));
    const modelDirectory = join(out, 'model');
    await saveModel({ model, directory: modelDirectory });
    print(`wrote ${files.log}, ${files.plot}, ${modelDirectory}/`);
    return {
      sizes: { train: trainPairs!.length, val: valPairs!.length, test: testPairs!.length, skipped },
      sft: { steps: sftSteps, valLoss: sftLoss },
      heldOut: { before: before.test, after: after.test }, val: { before: before.val, after: after.val },
      dpoSteps: result.step, files: { ...files, model: modelDirectory },
    };
  } finally {
    model.dispose();
  }
}
