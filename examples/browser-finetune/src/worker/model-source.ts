/**
 * The model to fine-tune: a tiny randomly initialised GPT-2 (quick enough for
 * software WebGPU, and what the end-to-end test trains), or a user's GPT-2 in
 * the Hugging Face layout, picked as `config.json` + `model.safetensors` or
 * fetched from the Hub or a base URL (cached, see `model-download.ts`).
 */
import type { FetchProgress } from '@tunekit/backend-web';
import { type BackendV1, createModel, type GPT2Config, type GPT2Model, loadModel } from '@tunekit/core';
import type { ModelChoice } from '../protocol';
import { downloadModel, modelFolderUrl } from './model-download';

/**
 * The tiny model: GPT-2's tokenizer and vocabulary (50,257 tokens) with a
 * 64-wide, 2-layer, 2-head transformer and a 128-token context. Most of its
 * 3.3M parameters are the token embedding, which LoRA leaves frozen. No
 * dropout: on a handful of steps it only adds noise to the loss curve.
 */
export const TINY_CONFIG: Partial<GPT2Config> = {
  embeddingDim: 64, numLayers: 2, numHeads: 2, contextLength: 128, embeddingDropout: 0, attentionDropout: 0, residualDropout: 0,
};

/** A model and what to call it (on the page and in `adapter_config.json`). */
export interface LoadedModel {
  model: GPT2Model;
  description: string;
  /** PEFT's `base_model_name_or_path`: where the base model can be found again, when known. */
  baseModelNameOrPath?: string;
}

function shape(model: GPT2Model): string {
  const { numLayers, embeddingDim, numHeads, contextLength } = model.config;
  return `${numLayers} layers, ${embeddingDim} wide, ${numHeads} heads, context ${contextLength}, ${model.parameterReport().total.toLocaleString('en-US')} parameters`;
}

/** Creates or loads the chosen model on `backend`. */
export async function loadChosenModel(choice: ModelChoice, backend: BackendV1, onProgress: (progress: FetchProgress) => void): Promise<LoadedModel> {
  if (choice.kind === 'tiny') {
    const model = await createModel(TINY_CONFIG, { seed: choice.seed, backend });
    return {
      model,
      description: `tiny random GPT-2 (${shape(model)}, seed ${choice.seed})`,
      // The random base is reproducible from its config and seed only with tunekit's initialisation.
      baseModelNameOrPath: `tunekit:createModel(${JSON.stringify(TINY_CONFIG)}, seed ${choice.seed})`,
    };
  }
  if (choice.kind === 'files') {
    // Both files are read whole: browsers hand out File objects, not paths.
    const [config, weights] = await Promise.all([choice.config.text(), choice.weights.arrayBuffer()]);
    const model = await loadModel({ source: { config, weights: new Uint8Array(weights) }, backend });
    // Transformers writes `_name_or_path` into config.json; without it the base model's name is unknown.
    const name = (JSON.parse(config) as { _name_or_path?: string })._name_or_path || undefined;
    return { model, description: `${name ?? 'GPT-2'} from local files (${shape(model)})`, baseModelNameOrPath: name };
  }
  const folder = modelFolderUrl(choice.url);
  const files = await downloadModel(folder, onProgress);
  const model = await loadModel({ source: files, backend });
  const name = choice.url.trim();
  return { model, description: `${name} (${shape(model)})`, baseModelNameOrPath: name };
}
