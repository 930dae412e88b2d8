/**
 * Instruction tuning (LLMs-from-scratch chapter 7's data, split and prompt)
 * with a frozen GPT-2 and a prompt- or prefix-tuning adapter: compare the
 * response to the first validation instruction before and after, save the
 * adapter in Python PEFT's layout, reload it and check that it answers the
 * same. Shared by the `prompt-tuning` and `prefix-tuning` examples.
 */
import { join } from 'node:path';
import {
  type Adapter, adapterParameterCount, applyAdapter, countParameters, createPrefixTuning, createPromptTuning, encodeInstructionExamples, formatTrainableParameters,
  type GPT2Model, generate, gpt2Config, loadAdapter, type PromptTuningInit, saveAdapter, saveModel, train,
} from '@tunekit/core';
import type { AlpacaRecord } from '@tunekit/formats';
import { writeFileAtomic } from '../common/data-files';
import { readSplitData, shuffledSplit, SPLIT_85_10_5 } from '../common/data-split';
import { exampleModel } from '../common/model';
import { startExample, type TrainingExampleOptions } from '../common/options';
import { runCallbacks, throughput } from '../common/reporting';
import { INSTRUCTION_DATA, promptOf, TINY_INSTRUCT } from '../instruction-finetune/instruction-finetune';

/** The two adapter methods that steer a frozen model through extra positions. */
export type InstructionPeftMethod = 'prompt-tuning' | 'prefix-tuning';

/** The text the soft prompt starts from with `init: 'TEXT'`: the Alpaca preamble. */
export const PROMPT_INIT_TEXT = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.';

/**
 * Options of {@link runInstructionPeft}: the common ones, with PEFT's
 * examples' defaults (2 epochs with `model`, 1 for the tiny model; learning
 * rate 3e-2 for prompt tuning, 1e-2 for prefix tuning; evaluation every 20
 * updates on 5 batches; batch size 8), and its own.
 */
export interface InstructionPeftOptions extends TrainingExampleOptions {
  method: InstructionPeftMethod;
  /** Virtual tokens P. Default 20. */
  numVirtualTokens?: number;
  /** Prompt tuning's initialisation. Default `TEXT` (from {@link PROMPT_INIT_TEXT}). */
  init?: PromptTuningInit;
  /** Prefix tuning through an MLP (`prefix_projection`). Default false. */
  prefixProjection?: boolean;
  /** Longest generated response, in tokens. Default 256 with `model`, 32 for the tiny model. */
  maxNewTokens?: number;
}

/** What a run measured and wrote. */
export interface InstructionPeftResult {
  /** PEFT's report over the model and the adapter. */
  trainable: { trainable: number; total: number; percent: number; line: string };
  /** The adapter's size for gpt2-small and gpt2-medium, from shapes. */
  sizes: { gpt2: number; gpt2Medium: number; data: { train: number; val: number; test: number } };
  /** Train and validation loss at the first and the last evaluation. */
  loss: { train: [number, number]; val: [number, number] };
  /** The first validation example and the responses before and after. */
  comparison: { instruction: string; expected: string; base: string; tuned: string };
  /** Whether the adapter reloaded from disk gives the same greedy response. */
  reloadedSameResponse: boolean;
  steps: number;
  stepsPerSecond: number;
  tokensPerSecond: number;
  files: { log: string; plot: string; metrics: string; adapter: string; baseModel?: string };
  backend: string;
}

function createAdapter(model: GPT2Model, options: InstructionPeftOptions, numVirtualTokens: number, seed: number): Adapter {
  if (options.method === 'prefix-tuning') return createPrefixTuning({ model, numVirtualTokens, prefixProjection: options.prefixProjection ?? false, seed });
  const init = options.init ?? 'TEXT';
  return createPromptTuning({ model, numVirtualTokens, init, initText: init === 'TEXT' ? PROMPT_INIT_TEXT : undefined, seed });
}

async function respond(model: GPT2Model, record: AlpacaRecord, maxNewTokens: number): Promise<string> {
  return (await generate({ model, prompt: promptOf(record), maxNewTokens })).text.trim();
}

/** Runs the prompt- or prefix-tuning example end to end. */
export async function runInstructionPeft(options: InstructionPeftOptions): Promise<InstructionPeftResult> {
  const { print, seed, out, capabilities } = await startExample(options.method, options);
  const P = options.numVirtualTokens ?? 20;

  // Data first (the chapter-7 split): a bad file fails before anything is written.
  const { records, splits: split } = await readSplitData(INSTRUCTION_DATA, 'alpaca', options, (all) => shuffledSplit(all, SPLIT_85_10_5, seed));

  const { model, description, pretrained } = await exampleModel(options.model, options.tiny ?? TINY_INSTRUCT, seed);
  try {
    print(`model: ${description}`);
    if (!pretrained) print('note: the tiny model has random weights, so a prompt or prefix can steer it only a little (towards frequent tokens); pass --model DIR with a pretrained GPT-2 for real instruction following');
    // The P virtual positions take room in the context: examples keep at most context − P (+1 for the shifted label) tokens.
    const encode = (part: typeof split.train) => encodeInstructionExamples(part, { maxLength: model.config.contextLength - P + 1, truncate: true });
    const data = { train: encode(split.train).slice(0, options.trainLimit), val: encode(split.val) };
    print(`data: ${records.length} instructions → train/val/test ${split.train.length}/${split.val.length}/${split.test.length}`);
    const maxNewTokens = options.maxNewTokens ?? (pretrained ? 256 : 32);
    const first = split.val[0]!.record;
    const base = await respond(model, first, maxNewTokens);

    const peft = applyAdapter({ model, adapter: createAdapter(model, options, P, seed) });
    const report = peft.trainableParameters();
    const spec = options.method === 'prefix-tuning'
      ? { method: 'prefix-tuning' as const, numVirtualTokens: P, prefixProjection: options.prefixProjection }
      : { method: 'prompt-tuning' as const, numVirtualTokens: P };
    const bigger = { gpt2: adapterParameterCount(gpt2Config('gpt2'), spec), gpt2Medium: adapterParameterCount(gpt2Config('gpt2-medium'), spec) };
    const grouped = (n: number) => n.toLocaleString('en-US');
    print(`${options.method}, ${P} virtual tokens: ${report.toString()}`);
    print(`  the same adapter on gpt2: ${grouped(bigger.gpt2)} of ${grouped(countParameters(gpt2Config('gpt2')))}; on gpt2-medium: ${grouped(bigger.gpt2Medium)}`);

    const { callbacks, files } = runCallbacks(out, options.method === 'prefix-tuning' ? 'Prefix tuning' : 'Prompt tuning', options.progress ?? false);
    const result = await train({
      model, sources: [peft], task: 'causal-lm', trainData: data.train, valData: data.val,
      batchSize: options.batchSize ?? 8, epochs: options.epochs ?? (pretrained ? 2 : 1), maxSteps: options.maxSteps,
      // No weight decay: it would pull the prompt or prefix towards zero, away from where it started.
      optimizer: { learningRate: options.learningRate ?? (options.method === 'prefix-tuning' ? 1e-2 : 3e-2), weightDecay: 0 },
      evalEvery: options.evalEvery ?? 20, evalBatches: options.evalBatches ?? 5, seed, callbacks,
    });
    const tuned = await respond(model, first, maxNewTokens);
    print(`\n${promptOf(first)}\n\nCorrect response:\n>> ${first.output}\n\nBase model response:\n>> ${base}\n\nTuned model response:\n>> ${tuned}\n`);

    const adapterDirectory = join(out, 'adapter');
    const baseModel = pretrained ? undefined : join(out, 'base-model');
    if (baseModel) await saveModel({ model, directory: baseModel }); // the random base is needed to use the adapter later
    await saveAdapter({ adapter: peft, directory: adapterDirectory, baseModelNameOrPath: options.model ?? baseModel });
    peft.unload();
    const reloaded = applyAdapter({ model, adapter: await loadAdapter({ model, source: adapterDirectory }) });
    const reloadedSameResponse = (await respond(model, first, maxNewTokens)) === tuned;
    reloaded.unload();

    const evals = result.evals;
    const loss = {
      train: [evals[0]?.train.loss ?? Number.NaN, evals.at(-1)?.train.loss ?? Number.NaN] as [number, number],
      val: [evals[0]?.val?.loss ?? Number.NaN, evals.at(-1)?.val?.loss ?? Number.NaN] as [number, number],
    };
    const speed = throughput(result.steps);
    const summary = {
      model: description, backend: capabilities.description, method: options.method, numVirtualTokens: P, steps: result.step, loss, reloadedSameResponse,
      trainable: { trainable: report.trainable, total: report.total, percent: report.percent, line: formatTrainableParameters(report) },
      sizes: { ...bigger, data: { train: data.train.length, val: data.val.length, test: split.test.length } },
      comparison: { instruction: first.instruction, expected: first.output, base, tuned }, ...speed,
    };
    const metrics = join(out, 'metrics.json');
    await writeFileAtomic(metrics, `${JSON.stringify(summary, null, 2)}\n`);
    print(`loss: train ${loss.train[0].toFixed(3)} → ${loss.train[1].toFixed(3)}, val ${loss.val[0].toFixed(3)} → ${loss.val[1].toFixed(3)} after ${result.step} steps`);
    print(`reloaded adapter gives the same response: ${reloadedSameResponse}`);
    print(`speed: ${speed.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(speed.tokensPerSecond).toLocaleString('en-US')} tokens/s`);
    print(`wrote ${files.log}, ${files.plot}, ${metrics}, ${adapterDirectory}/${baseModel ? `, ${baseModel}/` : ''}`);
    return { ...summary, files: { ...files, metrics, adapter: adapterDirectory, baseModel } };
  } finally {
    model.dispose();
  }
}
