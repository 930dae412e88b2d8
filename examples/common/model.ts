/** The model an example trains: a Hugging Face checkpoint, or a tiny random GPT-2. */
import { createModel, type GPT2Config, type GPT2Model, loadModel } from '@tunekit/core';

/** A model and a line describing it. */
export interface ExampleModel {
  model: GPT2Model;
  /** E.g. `gpt2 from ./models/gpt2 (124,439,808 parameters)`. */
  description: string;
  /** Whether it was loaded from a checkpoint (pretrained) rather than randomly initialised. */
  pretrained: boolean;
}

/** Options of {@link exampleModel}. */
export interface ExampleModelOptions {
  /**
   * A separate output head, as the chapters' `GPTModel` has: loaded as a copy
   * of `wte` (chapter 7's weight loading), or random for the tiny model.
   * Default false (GPT-2's tied head).
   */
  untieOutputHead?: boolean;
}

/** Loads `directory` when given, otherwise creates the tiny random model. */
export async function exampleModel(directory: string | undefined, tiny: Partial<GPT2Config>, seed: number, options: ExampleModelOptions = {}): Promise<ExampleModel> {
  const untie = options.untieOutputHead ?? false;
  const model = directory ? await loadModel({ source: directory, untieOutputHead: untie }) : await createModel(untie ? { ...tiny, tieWordEmbeddings: false } : tiny, { seed });
  const { total } = model.parameterReport();
  const { numLayers, embeddingDim, contextLength } = model.config;
  const shape = `${numLayers} layers, ${embeddingDim} wide, context ${contextLength}, ${total.toLocaleString('en-US')} parameters`;
  return { model, pretrained: directory !== undefined, description: directory ? `${directory} (${shape})` : `tiny random GPT-2 (${shape}, seed ${seed})` };
}
