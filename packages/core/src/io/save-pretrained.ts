/** Saves a model in the Hugging Face layout: `config.json` + `model.safetensors`. */
import type { FileIO } from '../backend/backend-spec';
import { toHFConfig } from '../model/config';
import type { GPT2Model } from '../model/gpt2-model';
import { resolveFiles } from '../backend/default-backend';
import { joinPath } from './join-path';
import { concatBytes, safetensorsParts, type TensorToWrite } from './safetensors';

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** The model to save. */
  model: GPT2Model;
  /** Directory to write into (created if missing). */
  directory: string;
  /** File access (default: the model's backend's). */
  files?: FileIO;
}

/**
 * The model's tensors by Hugging Face name, `wte` whole. A tied model's are
 * named as the base model's (`wte.weight`, `h.0.…`) and it has no
 * `lm_head.weight`. An untied model's are named as `GPT2LMHeadModel`'s
 * `save_pretrained` writes them (`transformer.wte.weight`, …, `lm_head.weight`):
 * transformers refuses a file that mixes unprefixed base names with
 * `lm_head.weight` ("state dictionary … corrupted").
 */
export async function modelTensors(model: GPT2Model): Promise<Map<string, TensorToWrite>> {
  const tensors = new Map<string, TensorToWrite>();
  const { lmHead } = model.params;
  const prefix = lmHead ? 'transformer.' : '';
  const tableShape = [model.config.vocabSize, model.config.embeddingDim];
  tensors.set(`${prefix}wte.weight`, { shape: tableShape, data: await model.params.wte.values() });
  for (const [name, variable] of model.parameters()) {
    if (name.startsWith('wte.weight') || name.startsWith('lm_head.weight')) continue;
    tensors.set(`${prefix}${name}`, { shape: variable.shape, data: (await variable.data()) as Float32Array });
  }
  if (lmHead) tensors.set('lm_head.weight', { shape: tableShape, data: await lmHead.values() });
  return tensors;
}


/**
 * Writes `config.json` and `model.safetensors` into `directory`, each
 * atomically, loadable by `transformers.GPT2LMHeadModel.from_pretrained`
 * and by {@link loadModel}.
 *
 * @example
 * ```ts
 * await saveModel({ model, directory: './out/gpt2-tuned' });
 * ```
 */
export async function saveModel(options: SaveModelOptions): Promise<void> {
  const { model, directory } = options;
  const files = resolveFiles(options.files, model.backend);
  await files.makeDirectory(directory);
  const parts = safetensorsParts(await modelTensors(model), { metadata: { format: 'pt' } });
  const weightsPath = joinPath(directory, 'model.safetensors');
  if (files.writeChunksAtomic) await files.writeChunksAtomic(weightsPath, parts);
  else await files.writeFileAtomic(weightsPath, concatBytes(parts));
  await files.writeFileAtomic(joinPath(directory, 'config.json'), `${JSON.stringify(toHFConfig(model.config), null, 2)}\n`);
}
