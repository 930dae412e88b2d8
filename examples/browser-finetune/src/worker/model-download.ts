/**
 * Downloading a GPT-2 from the Hugging Face Hub or any URL, with progress,
 * through the Cache API: a reload (or a second run) reads the files from the
 * cache instead of the network. backend-web's `fetchWithProgress` does the
 * streaming and the caching; this file only names the files and resolves a
 * Hub id to its URL.
 */
import { fetchWithProgress, type FetchProgress } from '@tunekit/backend-web';

/** The cache the model files are kept in (Application → Cache storage in the devtools). */
export const MODEL_CACHE = 'tunekit-models';

/** `owner/name` or `name` (a Hub id) → its `resolve/main` folder; an http(s) URL stays as it is. */
export function modelFolderUrl(source: string): string {
  const trimmed = source.trim().replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  if (/^[\w.-]+(\/[\w.-]+)?$/.test(trimmed)) return `https://huggingface.co/${trimmed}/resolve/main`;
  throw new Error(`Model URL: "${source}" is neither an http(s) URL nor a Hugging Face model id such as openai-community/gpt2`);
}

/** The two files of a GPT-2 in the Hugging Face layout. */
export interface ModelFiles {
  config: string;
  weights: Uint8Array;
}

/** Fetches (or reads from the cache) `config.json` and `model.safetensors` under `folder`. */
export async function downloadModel(folder: string, onProgress: (progress: FetchProgress) => void): Promise<ModelFiles> {
  const options = { cache: 'cache-api' as const, cacheName: MODEL_CACHE, onProgress };
  const config = new TextDecoder().decode(await fetchWithProgress(`${folder}/config.json`, options));
  const weights = await fetchWithProgress(`${folder}/model.safetensors`, options);
  return { config, weights };
}
