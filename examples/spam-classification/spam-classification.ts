/**
 * LLMs-from-scratch chapter 6: fine-tune GPT-2 as an SMS spam classifier.
 * Balance ham/spam (747/747), split 70/10/20 with seed 123, add a two-class
 * head on the last token, train (the chapter unfreezes the last block and
 * the final layer norm), and report train/val/test accuracy.
 */
import { join } from 'node:path';
import {
  ClassificationHead, classifyTexts, encodeClassificationExamples, evaluate, freeze, type GPT2Config, saveModel, serializeSafetensors, train, unfreezeLastBlocks,
} from '@tunekit/core';
import { chapterOptimizer } from '../common/chapter-settings';
import { writeFileAtomic } from '../common/data-files';
import { readBalancedSplit } from '../common/data-split';
import { exampleModel } from '../common/model';
import { startExample, type TrainingExampleOptions } from '../common/options';
import { runCallbacks, throughput } from '../common/reporting';

/** The UCI download (a zip holding `SMSSpamCollection`) and the book's backup. */
export const SPAM_DATA = {
  name: 'SMSSpamCollection.tsv',
  urls: ['https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip', 'https://f001.backblazeb2.com/file/LLMs-from-scratch/sms%2Bspam%2Bcollection.zip'],
  zipEntry: 'SMSSpamCollection',
} as const;

/** The default model: small enough to train in about a minute on two CPU cores. */
export const TINY_CLASSIFIER: Partial<GPT2Config> = { numLayers: 4, embeddingDim: 128, numHeads: 4, contextLength: 256 };

/** The chapter's two example messages. */
export const CHAPTER_MESSAGES = [
  'You are a winner you have been specially selected to receive $1000 cash or a $2000 award.',
  "Hey, just wanted to check if we're still on for dinner tonight? Let me know!",
];

/**
 * Options of {@link runSpamClassification}: the common ones, with the
 * chapter's defaults (5 epochs with `model`, 3 for the tiny model; learning
 * rate 5e-5 with `model`, 5e-4 for the tiny model; batch size 8; evaluation
 * every 50 updates on 5 batches), and its own.
 */
export interface SpamOptions extends TrainingExampleOptions {
  /** Which parameters train: `last-block` (the chapter: last block, final norm, head) or `all`. Default: `last-block` with `--model`, `all` for the random model. */
  trainable?: 'all' | 'last-block';
  /** Tokens kept per message. Default: the model's context. */
  maxLength?: number;
}

/** What a run measured and wrote. */
export interface SpamResult {
  /** Accuracy on the full train, validation and test splits after training. */
  accuracy: { train: number; val: number; test: number };
  /** Test accuracy of always answering the majority class of the training split. */
  majorityBaseline: number;
  /** Split sizes after balancing. */
  sizes: { train: number; val: number; test: number };
  /** Validation loss at the first and last evaluation. */
  valLoss: { first: number; last: number };
  /** The chapter's two messages and the predicted labels. */
  examples: { text: string; label: string }[];
  stepsPerSecond: number;
  tokensPerSecond: number;
  steps: number;
  /** Files written. */
  files: { log: string; plot: string; metrics: string; model: string; head: string };
  backend: string;
}

const LABELS = ['ham', 'spam'] as const;

/** Runs the classification fine-tune end to end. */
export async function runSpamClassification(options: SpamOptions = {}): Promise<SpamResult> {
  const { print, seed, out, capabilities } = await startExample('spam-classification', options);
  // Data first: a bad file fails before anything is written.
  const { records: rows, balanced, splits: split } = await readBalancedSplit(SPAM_DATA, LABELS, options, seed);

  const { model, description, pretrained } = await exampleModel(options.model, options.tiny ?? TINY_CLASSIFIER, seed);
  try {
    print(`model: ${description}`);
    const maxLength = Math.min(options.maxLength ?? Infinity, model.config.contextLength);
    const encode = (part: typeof split.train) => encodeClassificationExamples(part, { labels: [...LABELS], maxLength, truncate: true });
    const data = { train: encode(split.train).slice(0, options.trainLimit), val: encode(split.val), test: encode(split.test) };
    print(`data: ${rows.length} messages → ${balanced} balanced → train/val/test ${split.train.length}/${split.val.length}/${split.test.length}`);

    const head = new ClassificationHead({ numLabels: 2, model, seed });
    const trainable = options.trainable ?? (pretrained ? 'last-block' : 'all');
    const counts = trainable === 'all' ? freeze(model, { trainable: 'all' }) : unfreezeLastBlocks({ model, count: 1 });
    print(`trainable: ${trainable} (${counts.trainable.toLocaleString('en-US')} of ${counts.total.toLocaleString('en-US')} model parameters, plus the head)`);

    const { callbacks, files } = runCallbacks(out, 'Spam classification', options.progress ?? false);
    const result = await train({
      model, head, task: 'classification', trainData: data.train, valData: data.val,
      batchSize: options.batchSize ?? 8, epochs: options.epochs ?? (pretrained ? 5 : 3), maxSteps: options.maxSteps,
      optimizer: chapterOptimizer(options.learningRate ?? (pretrained ? 5e-5 : 5e-4)), // the chapter's AdamW: decay on every parameter
      evalEvery: options.evalEvery ?? 50, evalBatches: options.evalBatches ?? 5, seed, callbacks,
    });
    const accuracy = {
      train: (await evaluate({ model, head, task: 'classification', data: data.train })).accuracy,
      val: (await evaluate({ model, head, task: 'classification', data: data.val })).accuracy,
      test: (await evaluate({ model, head, task: 'classification', data: data.test })).accuracy,
    };
    const spamShare = data.train.filter((e) => e.label === 1).length / data.train.length;
    const majority = spamShare > 0.5 ? 1 : 0;
    const majorityBaseline = data.test.filter((e) => e.label === majority).length / data.test.length;
    const examples = (await classifyTexts({ model, head, texts: CHAPTER_MESSAGES, maxLength })).map((c, i) => ({ text: CHAPTER_MESSAGES[i] as string, label: LABELS[c.label] as string }));
    const speed = throughput(result.steps);

    const modelDirectory = join(out, 'model');
    const headFile = join(modelDirectory, 'score.safetensors');
    await saveModel({ model, directory: modelDirectory });
    await writeFileAtomic(headFile, serializeSafetensors({ 'score.weight': { shape: [...head.weight.shape], data: (await head.weight.data()) as Float32Array } }, { metadata: { format: 'pt' } }));
    const valLoss = { first: result.evals[0]?.val?.loss ?? Number.NaN, last: result.evals.at(-1)?.val?.loss ?? Number.NaN };
    const summary = { model: description, backend: capabilities.description, trainable, steps: result.step, accuracy, majorityBaseline, valLoss, sizes: { train: data.train.length, val: data.val.length, test: data.test.length }, examples, ...speed };
    const metrics = join(out, 'metrics.json');
    await writeFileAtomic(metrics, `${JSON.stringify(summary, null, 2)}\n`);
    head.dispose();

    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    print(`accuracy: train ${pct(accuracy.train)}, val ${pct(accuracy.val)}, test ${pct(accuracy.test)} (majority baseline ${pct(majorityBaseline)})`);
    for (const e of examples) print(`  "${e.text}" → ${e.label}`);
    print(`speed: ${speed.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(speed.tokensPerSecond).toLocaleString('en-US')} tokens/s over ${result.step} steps`);
    print(`wrote ${files.log}, ${files.plot}, ${metrics}, ${modelDirectory}/`);
    return { ...summary, backend: capabilities.description, files: { ...files, metrics, model: modelDirectory, head: headFile } };
  } finally {
    model.dispose();
  }
}
