/**
 * The README's quick start, kept here so that CI type-checks it and a test
 * runs it: LoRA instruction tuning of a Hugging Face GPT-2 directory, saving
 * a PEFT adapter and answering one instruction.
 */
import {
  applyAdapter, createLoRA, encodeInstructionExamples, generate, loadModel, saveAdapter, train,
} from '@tunekit/core';
import { readRecordsFromFileOrThrow } from '@tunekit/formats/node';

/** Where to read from and write to, and how long to train. */
export interface QuickStartOptions {
  modelDir: string;
  dataFile: string;
  outDir: string;
  maxSteps?: number;
}

/** Runs the quick start; returns the losses of the first and last evaluation and the answer. */
export async function quickStart({ modelDir, dataFile, outDir, maxSteps }: QuickStartOptions) {
  // ---- README quick start: begin ----
  const model = await loadModel({ source: modelDir }); // config.json + model.safetensors (a directory, URL or bytes)
  const records = await readRecordsFromFileOrThrow(dataFile, { kind: 'alpaca' }); // errors name file, line and field
  const examples = encodeInstructionExamples(records, { maxLength: model.config.contextLength, truncate: true });

  const lora = applyAdapter({ model, adapter: createLoRA({ model, rank: 16, alpha: 16, targetModules: ['c_attn', 'c_proj', 'c_fc'] }) });
  console.log(lora.trainableParameters().toString()); // trainable params: … || all params: … || trainable%: …

  const result = await train({
    model, sources: [lora], task: 'causal-lm', trainData: examples.slice(0, 1000), valData: examples.slice(1000),
    batchSize: 8, epochs: 2, maxSteps, evalEvery: 10, optimizer: { learningRate: 5e-3 },
  });
  await saveAdapter({ adapter: lora, directory: outDir }); // adapter_config.json + adapter_model.safetensors, as Python PEFT writes them

  const { text } = await generate({ model, prompt: 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName a primary color.\n\n### Response:\n', maxNewTokens: 20 });
  // ---- README quick start: end ----
  const losses = result.evals.map((e) => e.val!.loss);
  lora.remove(lora.names[0]!);
  model.dispose();
  return { firstValLoss: losses[0]!, lastValLoss: losses.at(-1)!, answer: text };
}
