/** Saves a model in the Hugging Face layout: `config.json` + `model.safetensors`. */
import { UnsupportedError } from '@tunekit/formats';
import type { FileIO } from '../backend/backend-spec';
import { toHFConfig } from '../model/config';
import type { GPT2Model } from '../model/gpt2-model';
import { isNodeRuntime, joinPath, nodeFileIO } from './node-file-io';
import { concatBytes, safetensorsParts, type TensorToWrite } from './safetensors';

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** The model to save. */
  model: GPT2Model;
  /** Directory to write into (created if missing). */
  directory: string;
  /** File access (default: the model's backend's, else Node's file system). */
  files?: FileIO;
}

/** The model's tensors by Hugging Face name, `wte` whole. */
export async function modelTensors(model: GPT2Model): Promise<Map<string, TensorToWrite>> {
  const tensors = new Map<string, TensorToWrite>();
  tensors.set('wte.weight', { shape: [model.config.vocabSize, model.config.embeddingDim], data: await model.params.wte.values() });
  for (const [name, variable] of model.parameters()) {
    if (name.startsWith('wte.weight')) continue;
    tensors.set(name, { shape: variable.shape, data: (await variable.data()) as Float32Array });
  }
  return tensors;
}

/**
 * The file access to use: `files` when given, else the backend's (pass the
 * model's), else Node's file system.
 */
export function resolveFiles(files?: FileIO, backend?: { backend: { files?: FileIO } }): FileIO {
  const resolved = files ?? backend?.backend.files ?? (isNodeRuntime() ? nodeFileIO() : undefined);
  if (!resolved) throw new UnsupportedError('No file system here: pass { files } (e.g. the browser storage of @tunekit/backend-web)');
  return resolved;
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
