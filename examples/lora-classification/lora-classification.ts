/**
 * LLMs-from-scratch appendix E: the chapter-6 spam classifier trained with
 * LoRA (rank 16, alpha 16) on every linear layer instead of the last block.
 * The base model stays frozen and bit-identical; only the LoRA matrices (and,
 * with `head: 'full'`, the head) train. The adapter is saved in Python PEFT's
 * layout and reloaded to check that it reproduces the predictions.
 */
import { join } from 'node:path';
import {
  adapterParameterCount, applyAdapter, ClassificationHead, classifyTexts, countParameters, createLoRA, encodeClassificationExamples, evaluate,
  formatTrainableParameters, gpt2Config, loadAdapter, saveAdapter, saveModel, train,
} from '@tunekit/core';
import { writeFileAtomic } from '../common/data-files';
import { readBalancedSplit } from '../common/data-split';
import { exampleModel } from '../common/model';
import { startExample, type TrainingExampleOptions } from '../common/options';
import { runCallbacks, throughput } from '../common/reporting';
import { SPAM_DATA, TINY_CLASSIFIER } from '../spam-classification/spam-classification';
import { checksum } from './checks';

/** What the head does: `lora` (appendix E: the head is frozen and gets a LoRA) or `full` (PEFT's SEQ_CLS: the head trains whole). */
export type HeadMode = 'lora' | 'full';

/**
 * Options of {@link runLoraClassification}: the common ones, with the
 * appendix's defaults (5 epochs with `model`, 3 for the tiny model; learning
 * rate 8e-4; batch size 8; evaluation every 50 updates on 5 batches), and its own.
 */
export interface LoraClassificationOptions extends TrainingExampleOptions {
  /** LoRA rank. Default 16 (the appendix's). */
  rank?: number;
  /** LoRA alpha. Default 16 (the appendix's). */
  alpha?: number;
  /** How the head trains. Default `lora` (the appendix's). */
  head?: HeadMode;
  /** Tokens kept per message. Default: the model's context. */
  maxLength?: number;
}

/** What a run measured and wrote. */
export interface LoraClassificationResult {
  /** PEFT's report over model, adapter and head. */
  trainable: { trainable: number; total: number; percent: number; line: string };
  /** The same setup counted for gpt2-small, next to the appendix's numbers. */
  gpt2Small: { trainable: number; total: number; appendixTrainable: number; appendixTotal: number };
  accuracy: { train: number; val: number; test: number };
  /** Test accuracy of always answering the training split's majority class. */
  majorityBaseline: number;
  sizes: { train: number; val: number; test: number };
  /** Whether every base weight is bit-for-bit what it was before training (checked by checksum). */
  baseUnchanged: boolean;
  /** Largest difference between the class probabilities of the trained adapter and of the one reloaded from disk. */
  reloadMaxDiff: number;
  steps: number;
  stepsPerSecond: number;
  tokensPerSecond: number;
  files: { log: string; plot: string; metrics: string; adapter: string; baseModel?: string };
  backend: string;
}

const LABELS = ['ham', 'spam'] as const;
/** Appendix E's numbers for gpt2-small (rank 16 on every nn.Linear, separate Q/K/V, a 768→2 head with bias). */
const APPENDIX = { trainable: 2_666_528, total: 124_441_346 };

/** This setup's counts for gpt2-small, from shapes (no model needed). */
function gpt2SmallCounts(rank: number, head: HeadMode): { trainable: number; total: number } {
  const config = gpt2Config('gpt2');
  const headSize = config.embeddingDim * 2; // score: Linear(768, 2, bias=False)
  const targets = head === 'lora' ? ['c_attn', 'c_proj', 'c_fc', 'score'] : ['c_attn', 'c_proj', 'c_fc'];
  const lora = adapterParameterCount(config, { method: 'lora', rank, targetModules: targets, extraModules: [{ name: 'score', inFeatures: config.embeddingDim, outFeatures: 2 }] });
  return { trainable: lora + (head === 'full' ? headSize : 0), total: countParameters(config) + headSize + lora };
}

/** Runs the LoRA classification fine-tune end to end. */
export async function runLoraClassification(options: LoraClassificationOptions = {}): Promise<LoraClassificationResult> {
  const { print, seed, out, capabilities } = await startExample('lora-classification', options);
  const rank = options.rank ?? 16;
  const alpha = options.alpha ?? 16;
  const headMode = options.head ?? 'lora';

  // Data first (the chapter-6 preparation): a bad file fails before anything is written.
  const { records: rows, balanced, splits: split } = await readBalancedSplit(SPAM_DATA, LABELS, options, seed);

  const { model, description, pretrained } = await exampleModel(options.model, options.tiny ?? TINY_CLASSIFIER, seed);
  const head = new ClassificationHead({ numLabels: 2, model, seed });
  try {
    print(`model: ${description}`);
    const maxLength = Math.min(options.maxLength ?? Infinity, model.config.contextLength);
    const encode = (part: typeof split.train) => encodeClassificationExamples(part, { labels: [...LABELS], maxLength, truncate: true });
    const data = { train: encode(split.train).slice(0, options.trainLimit), val: encode(split.val), test: encode(split.test) };
    print(`data: ${rows.length} messages → ${balanced} balanced → train/val/test ${split.train.length}/${split.val.length}/${split.test.length}`);

    // LoRA on every linear map; in `lora` mode also on the (frozen) head, as the appendix does.
    const adapter = createLoRA({
      model, rank, alpha, seed,
      targetModules: headMode === 'lora' ? ['c_attn', 'c_proj', 'c_fc', 'score'] : ['c_attn', 'c_proj', 'c_fc'],
      extraModules: [head.linearModule()],
    });
    const peft = applyAdapter({ model, adapter });
    head.weight.trainable = headMode === 'full';
    const report = peft.trainableParameters(head);
    const small = gpt2SmallCounts(rank, headMode);
    const grouped = (n: number) => n.toLocaleString('en-US');
    print(`LoRA r=${rank}, alpha=${alpha} on ${adapter.targetNames.length} maps; head: ${headMode === 'lora' ? 'frozen + LoRA (appendix E)' : 'trained whole (PEFT modules_to_save)'}`);
    print(report.toString());
    print(`gpt2-small, same setup: ${grouped(small.trainable)} trainable of ${grouped(small.total)}; appendix E: ${grouped(APPENDIX.trainable)} of ${grouped(APPENDIX.total)}`);
    print('  (the appendix adapts separate Q, K, V maps, +294,912 over the fused c_attn; its total counts no LoRA and a head with bias)');

    const before = await checksum(model);
    const { callbacks, files } = runCallbacks(out, 'LoRA spam classification', options.progress ?? false);
    const result = await train({
      model, head, sources: [peft], task: 'classification', trainData: data.train, valData: data.val,
      batchSize: options.batchSize ?? 8, epochs: options.epochs ?? (pretrained ? 5 : 3), maxSteps: options.maxSteps,
      optimizer: { learningRate: options.learningRate ?? 8e-4, weightDecay: 0.1 },
      evalEvery: options.evalEvery ?? 50, evalBatches: options.evalBatches ?? 5, seed, callbacks,
    });
    const baseUnchanged = (await checksum(model)) === before;
    const accuracy = {
      train: (await evaluate({ model, head, task: 'classification', data: data.train })).accuracy,
      val: (await evaluate({ model, head, task: 'classification', data: data.val })).accuracy,
      test: (await evaluate({ model, head, task: 'classification', data: data.test })).accuracy,
    };
    const majority = data.train.filter((e) => e.label === 1).length / data.train.length > 0.5 ? 1 : 0;
    const majorityBaseline = data.test.filter((e) => e.label === majority).length / data.test.length;

    // Save in PEFT's layout (the head as modules_to_save), then reload and compare predictions.
    const adapterDirectory = join(out, 'adapter');
    const baseModel = pretrained ? undefined : join(out, 'base-model');
    if (baseModel) await saveModel({ model, directory: baseModel }); // the random base is needed to use the adapter later
    await saveAdapter({ adapter: peft, directory: adapterDirectory, taskType: 'SEQ_CLS', modulesToSave: { score: head }, baseModelNameOrPath: options.model ?? baseModel });
    const texts = split.test.slice(0, 16).map((r) => r.record.text);
    const probabilities = async (h: ClassificationHead) => (await classifyTexts({ model, head: h, texts, maxLength })).flatMap((c) => c.probabilities);
    const trained = await probabilities(head);
    peft.unload();
    const reloadedHead = new ClassificationHead({ numLabels: 2, model, seed: seed + 1 });
    const reloaded = applyAdapter({ model, adapter: await loadAdapter({ model, source: adapterDirectory, extraModules: [reloadedHead.linearModule()], modulesToSave: { score: reloadedHead } }) });
    const reloadMaxDiff = Math.max(...(await probabilities(reloadedHead)).map((p, i) => Math.abs(p - (trained[i] as number))));
    reloaded.unload();
    reloadedHead.dispose();

    const speed = throughput(result.steps);
    const summary = {
      model: description, backend: capabilities.description, rank, alpha, head: headMode, steps: result.step, accuracy, majorityBaseline, baseUnchanged, reloadMaxDiff,
      trainable: { trainable: report.trainable, total: report.total, percent: report.percent, line: formatTrainableParameters(report) },
      gpt2Small: { ...small, appendixTrainable: APPENDIX.trainable, appendixTotal: APPENDIX.total },
      sizes: { train: data.train.length, val: data.val.length, test: data.test.length }, ...speed,
    };
    const metrics = join(out, 'metrics.json');
    await writeFileAtomic(metrics, `${JSON.stringify(summary, null, 2)}\n`);

    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    print(`accuracy: train ${pct(accuracy.train)}, val ${pct(accuracy.val)}, test ${pct(accuracy.test)} (majority baseline ${pct(majorityBaseline)})`);
    print(`base weights unchanged: ${baseUnchanged}; reloaded adapter: max |probability diff| ${reloadMaxDiff.toExponential(2)}`);
    print(`speed: ${speed.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(speed.tokensPerSecond).toLocaleString('en-US')} tokens/s over ${result.step} steps`);
    print(`wrote ${files.log}, ${files.plot}, ${metrics}, ${adapterDirectory}/${baseModel ? `, ${baseModel}/` : ''}`);
    return { ...summary, files: { ...files, metrics, adapter: adapterDirectory, baseModel } };
  } finally {
    head.dispose();
    model.dispose();
  }
}
