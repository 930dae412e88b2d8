/** Reading PEFT's two files from a directory, a URL or memory, and the keys of `modules_to_save`. */
import { FetchError } from '../io/fetch-error';
import { FileNotFoundError } from '@tunekit/formats';
import type * as tf from '@tensorflow/tfjs-core';
import type { FileIO } from '../backend/backend-spec';
import type { ParameterSource } from '../model/parameter-source';
import { savedModuleTensorKey } from './peft-keys';
import { joinPath } from '../io/join-path';
import { resolveFiles } from '../backend/default-backend';
import type { PEFTConfigJSON, PEFTType } from './adapter';

/** Both files' contents and where they came from (for error messages). */
export interface AdapterFiles {
  config: string | PEFTConfigJSON;
  configOrigin: string;
  weights: Uint8Array;
  weightsOrigin: string;
}

/** The config file of PEFT's layout. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
/** The weights file of PEFT's layout. */
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const CONFIG = ADAPTER_CONFIG_FILE;
const WEIGHTS = ADAPTER_WEIGHTS_FILE;

/** Reads `adapter_config.json` and `adapter_model.safetensors`. */
export async function readAdapterFiles(
  source: string | URL | { config: string | PEFTConfigJSON; weights: Uint8Array },
  files: FileIO | undefined,
  fetchImpl: typeof fetch,
): Promise<AdapterFiles> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    return { config: source.config, configOrigin: CONFIG, weights: source.weights, weightsOrigin: WEIGHTS };
  }
  const text = source.toString();
  if (/^https?:\/\//.test(text)) {
    const base = text.replace(/\/+$/, '');
    const get = async (name: string) => {
      const url = `${base}/${name}`;
      const response = await fetchImpl(url).catch((error: Error) => {
        throw new FetchError(url, `${error.message}`, { fix: 'Check the URL and the network; the folder must serve adapter_config.json and adapter_model.safetensors.' });
      });
      if (!response.ok) throw new FetchError(url, `HTTP ${response.status}`, { fix: 'Check the URL: the folder must serve adapter_config.json and adapter_model.safetensors.' });
      return { url, response };
    };
    const config = await get(CONFIG);
    const weights = await get(WEIGHTS);
    return { config: await config.response.text(), configOrigin: config.url, weights: new Uint8Array(await weights.response.arrayBuffer()), weightsOrigin: weights.url };
  }
  const io = resolveFiles(files);
  const configPath = joinPath(text, CONFIG);
  const weightsPath = joinPath(text, WEIGHTS);
  if (!(await io.exists(configPath))) throw new FileNotFoundError(configPath, { message: `${configPath} not found: "${text}" is not a PEFT adapter directory`, fix: 'Pass the folder PEFT save_pretrained wrote (it holds adapter_config.json and adapter_model.safetensors).' });
  if (!(await io.exists(weightsPath))) {
    const hasBin = await io.exists(joinPath(text, 'adapter_model.bin'));
    throw new FileNotFoundError(weightsPath, { message: `${weightsPath} not found${hasBin ? ' (only adapter_model.bin is there)' : ''}`, fix: `Save the adapter again with PEFT save_pretrained${hasBin ? ' (safe_serialization=True)' : ''} or saveAdapter.` });
  }
  return {
    config: new TextDecoder().decode(await io.readFile(configPath)),
    configOrigin: configPath,
    weights: await io.readFile(weightsPath),
    weightsOrigin: weightsPath,
  };
}

/**
 * File keys of a module saved whole: `base_model.model.{module}.{name}` for
 * LoRA, `base_model.{module}.{name}` for prompt learning (where PEFT wraps the
 * transformers model directly). A parameter named `score.weight` or `weight`
 * of module `score` both become `….score.weight`.
 */
export function moduleTensorKeys(peftType: PEFTType, module: string, source: ParameterSource): [string, tf.Variable][] {
  return [...source.parameters()].map(([name, variable]) => [savedModuleTensorKey(peftType, module, name), variable]);
}
