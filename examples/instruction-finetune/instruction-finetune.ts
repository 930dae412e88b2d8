/**
 * LLMs-from-scratch chapter 7: instruction fine-tuning (Alpaca-style SFT) on
 * `instruction-data.json`. Split 85/10/5 (train/test/val) in file order as
 * the chapter does (or after a seeded shuffle with `shuffleSplit`), train with
 * the chapter's AdamW (decay on every parameter), compare the base model's response to the first validation instruction
 * with the fine-tuned one, write every test entry's response to
 * `instruction-data-with-response.json`, and save the fine-tuned weights.
 */
import { join } from 'node:path';
import {
  encodeInstructionExamples, freeze, type GPT2Config, type GPT2Model, generate, type OptimizerOptions, saveModel, train,
} from '@tunekit/core';
import { type AlpacaRecord, alpacaLlmsFromScratchTemplate, alpacaToConversation, renderPrompt } from '@tunekit/formats';
import { CHAPTER_UNTIED_HEAD, chapterOptimizer, chapterSplit } from '../common/chapter-settings';
import { writeFileAtomic } from '../common/data-files';
import { readSplitData, shuffledSplit, SPLIT_85_10_5 } from '../common/data-split';
import { exampleModel } from '../common/model';
import { startExample, type TrainingExampleOptions } from '../common/options';
import { runCallbacks, throughput } from '../common/reporting';

/** The chapter's data file. */
export const INSTRUCTION_DATA = {
  name: 'instruction-data.json',
  urls: ['https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/01_main-chapter-code/instruction-data.json'],
} as const;

/** The default model: small enough for a visible fine-tune in a few minutes on two CPU cores. */
export const TINY_INSTRUCT: Partial<GPT2Config> = { numLayers: 4, embeddingDim: 128, numHeads: 4, contextLength: 256 };

/**
 * Options of {@link runInstructionFinetune}: the common ones, with the
 * chapter's defaults (2 epochs; learning rate 5e-5 with `model`, 1e-3 for
 * the tiny model; batch size 8; evaluation on 5 batches), and its own.
 */
export interface InstructionOptions extends TrainingExampleOptions {
  /**
   * Loss on response tokens only. Default: false with `--model` (the chapter
   * trains on every token); true for the tiny model, where it also skips the
   * LM head for prompt tokens (about 4× less work).
   */
  maskPrompt?: boolean;
  /** Evaluate every N updates on `evalBatches` batches. Defaults 5 and 5 with `--model` (the chapter's), 20 and 5 for the tiny model. */
  evalEvery?: number;
  /** Test entries to answer into `instruction-data-with-response.json`. Default: all 110 with `--model` (the chapter), the first 10 for the tiny model (greedy decoding costs about 30 ms a token there). */
  responses?: number;
  /** Longest generated response, in tokens. Default 256 with `--model` (the chapter's), 64 for the tiny model. */
  maxNewTokens?: number;
  /**
   * A separate output head that trains on its own, as chapter 7's model has
   * (its `out_head` is loaded as a copy of `wte`; random for the tiny model).
   * Default true, the chapter's; false keeps GPT-2's tied head, which saves
   * vocabulary × width parameters (51.5M for gpt2-medium) and their AdamW state.
   */
  untiedHead?: boolean;
  /** Shuffle (seeded) before splitting instead of the chapter's in-order 85/10/5 split. Default false. */
  shuffleSplit?: boolean;
}

/** What a run measured and wrote. */
export interface InstructionResult {
  sizes: { train: number; val: number; test: number };
  /** Train and validation loss at each evaluation. */
  losses: { step: number; train: number; val: number }[];
  /** The first validation example: its instruction, the expected output and both models' responses. */
  comparison: { instruction: string; input: string; expected: string; base: string; finetuned: string };
  /** Mean token accuracy on the validation batches at the last evaluation. */
  valTokenAccuracy: number;
  stepsPerSecond: number;
  tokensPerSecond: number;
  steps: number;
  files: { log: string; plot: string; responses: string; model: string };
  backend: string;
  /** The settings the run used that the chapter fixes: how the data was split, the optimizer passed to `train()`, and whether the output head was untied. */
  settings: { split: 'chapter-order' | 'seeded-shuffle'; optimizer: OptimizerOptions; untiedHead: boolean };
}

/** The chapter's prompt (`format_input` plus the response cue), rendered by @tunekit/formats. */
export function promptOf(record: AlpacaRecord): string {
  return renderPrompt(alpacaToConversation({ instruction: record.instruction, input: record.input }), { template: alpacaLlmsFromScratchTemplate });
}

async function respond(model: GPT2Model, record: AlpacaRecord, maxNewTokens: number): Promise<string> {
  const { text } = await generate({ model, prompt: promptOf(record), maxNewTokens });
  return text.trim();
}

/** Runs the instruction fine-tune end to end. */
export async function runInstructionFinetune(options: InstructionOptions = {}): Promise<InstructionResult> {
  const { print, seed, out, capabilities } = await startExample('instruction-finetune', options);
  // Data first: a bad file fails before anything is written.
  const { records, splits: split } = await readSplitData(INSTRUCTION_DATA, 'alpaca', options, (all) => (options.shuffleSplit ? shuffledSplit(all, SPLIT_85_10_5, seed) : chapterSplit(all)));

  const untiedHead = options.untiedHead ?? CHAPTER_UNTIED_HEAD;
  const { model, description, pretrained } = await exampleModel(options.model, options.tiny ?? TINY_INSTRUCT, seed, { untieOutputHead: untiedHead });
  try {
    print(`model: ${description}, ${untiedHead ? 'untied output head (the chapter\'s)' : 'tied output head'}`);
    freeze(model, { trainable: 'all' }); // full fine-tuning, as the chapter
    const maxLength = model.config.contextLength;
    const data = {
      train: encodeInstructionExamples(split.train, { maxLength }).slice(0, options.trainLimit),
      val: encodeInstructionExamples(split.val, { maxLength }),
    };
    print(`data: ${records.length} instructions → train/val/test ${split.train.length}/${split.val.length}/${split.test.length}`);
    const maxNewTokens = options.maxNewTokens ?? (pretrained ? 256 : 64);
    const first = split.val[0]!.record;
    const base = await respond(model, first, maxNewTokens);

    const { callbacks, files } = runCallbacks(out, 'Instruction fine-tuning', options.progress ?? false);
    const optimizer = chapterOptimizer(options.learningRate ?? (pretrained ? 5e-5 : 1e-3));
    const result = await train({
      model, task: 'causal-lm', trainData: data.train, valData: data.val, collate: { maskPrompt: options.maskPrompt ?? !pretrained },
      batchSize: options.batchSize ?? 8, epochs: options.epochs ?? 2, maxSteps: options.maxSteps,
      optimizer, evalEvery: options.evalEvery ?? (pretrained ? 5 : 20), evalBatches: options.evalBatches ?? 5, seed, callbacks,
    });
    const finetuned = await respond(model, first, maxNewTokens);
    print(`\n${promptOf(first)}`);
    print(`\nCorrect response:\n>> ${first.output}`);
    print(`\nBase model response:\n>> ${base}`);
    print(`\nFine-tuned model response:\n>> ${finetuned}\n`);

    const answered: (AlpacaRecord & { model_response: string })[] = [];
    const generationStart = performance.now();
    for (const { record } of split.test.slice(0, options.responses ?? (pretrained ? undefined : 10))) answered.push({ ...record, model_response: await respond(model, record, maxNewTokens) });
    const responses = join(out, 'instruction-data-with-response.json');
    await writeFileAtomic(responses, `${JSON.stringify(answered, null, 4)}\n`);
    const modelDirectory = join(out, 'model');
    await saveModel({ model, directory: modelDirectory });

    const generationSeconds = (performance.now() - generationStart) / 1000;
    const speed = throughput(result.steps);
    const losses = result.evals.map((e) => ({ step: e.step, train: e.train.loss, val: e.val?.loss ?? Number.NaN }));
    const last = losses.at(-1);
    print(`loss: train ${losses[0]?.train.toFixed(3)} → ${last?.train.toFixed(3)}, val ${losses[0]?.val.toFixed(3)} → ${last?.val.toFixed(3)} after ${result.step} steps`);
    print(`speed: ${speed.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(speed.tokensPerSecond).toLocaleString('en-US')} tokens/s (training ${(result.elapsedMs / 1000).toFixed(0)} s, ${answered.length} test responses ${generationSeconds.toFixed(0)} s)`);
    print(`wrote ${files.log}, ${files.plot}, ${responses} (${answered.length} responses), ${modelDirectory}/`);
    return {
      sizes: { train: data.train.length, val: data.val.length, test: split.test.length }, losses,
      comparison: { instruction: first.instruction, input: first.input ?? '', expected: first.output, base, finetuned },
      valTokenAccuracy: result.evals.at(-1)?.val?.accuracy ?? Number.NaN, ...speed, steps: result.step,
      files: { ...files, responses, model: modelDirectory }, backend: capabilities.description,
      settings: { split: options.shuffleSplit ? 'seeded-shuffle' : 'chapter-order', optimizer, untiedHead: model.params.lmHead !== undefined },
    };
  } finally {
    model.dispose();
  }
}
