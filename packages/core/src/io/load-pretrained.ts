/**
 * `loadPretrained`: a GPT-2 in the Hugging Face layout (`config.json` +
 * `model.safetensors`) from a local directory, a URL, a Hub id, or bytes.
 */
import type { BackendV1, FileIO } from '../backend/backend-spec';
import { resolveBackend } from '../backend/resolve-backend';
import { fromHFConfig, type HFGPT2ConfigJson } from '../model/config';
import { GPT2Model, type ModelOptions } from '../model/gpt2-model';
import { fetchStream, type ProgressCallback, withProgress } from './fetch-stream';
import { CheckpointCollector } from './hf-checkpoint';
import { isNodeRuntime, joinPath, nodeFileIO } from './node-file-io';
import { parseSafetensors, streamSafetensors } from './safetensors';

/** Where a model comes from. */
export type PretrainedSource =
  /** A local directory, an `http(s)://` base URL, or a Hugging Face Hub id such as `gpt2` or `openai-community/gpt2-medium`. */
  | string
  | URL
  /** A checkpoint already in memory. */
  | { config: HFGPT2ConfigJson | string; weights: Uint8Array };

/** Options of {@link loadPretrained}. */
export interface LoadOptions extends ModelOptions {
  /** Backend to run on (default: the embedded CPU backend). */
  backend?: BackendV1;
  /** Progress of reading `model.safetensors`. */
  onProgress?: ProgressCallback;
  /** File access for local directories (default: the backend's, else Node's file system). */
  files?: FileIO;
  /** `fetch` to use for URLs (default: the global one). */
  fetch?: typeof fetch;
  /** Hub revision (branch, tag or commit) for Hub ids. Default `main`. */
  revision?: string;
}

const HUB = 'https://huggingface.co';
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

type Location = { kind: 'directory'; path: string; files: FileIO } | { kind: 'url'; base: string };

async function locate(source: string | URL, options: LoadOptions, backend: BackendV1): Promise<Location> {
  const text = source.toString();
  if (/^https?:\/\//.test(text)) return { kind: 'url', base: text.replace(/\/+$/, '') };
  const files = options.files ?? backend.files ?? (isNodeRuntime() ? nodeFileIO() : undefined);
  if (files && (await files.exists(joinPath(text, 'config.json')))) return { kind: 'directory', path: text, files };
  if (HUB_ID.test(text) && !text.startsWith('.')) {
    return { kind: 'url', base: `${HUB}/${text}/resolve/${encodeURIComponent(options.revision ?? 'main')}` };
  }
  throw new Error(`Cannot load "${text}": no config.json in that directory, and it is neither a URL nor a Hub id`);
}

async function readText(location: Location, name: string, fetchImpl: typeof fetch): Promise<{ text: string; origin: string }> {
  if (location.kind === 'directory') {
    const origin = joinPath(location.path, name);
    return { text: new TextDecoder().decode(await location.files.readFile(origin)), origin };
  }
  const origin = `${location.base}/${name}`;
  const response = await fetchImpl(origin).catch((error: Error) => {
    throw new Error(`Cannot fetch ${origin}: ${error.message}`);
  });
  if (!response.ok) throw new Error(`Cannot fetch ${origin}: HTTP ${response.status}`);
  return { text: await response.text(), origin };
}

async function openWeights(location: Location, fetchImpl: typeof fetch): Promise<{ origin: string; size?: number; chunks: AsyncIterable<Uint8Array> }> {
  const name = 'model.safetensors';
  if (location.kind === 'url') {
    const origin = `${location.base}/${name}`;
    return { origin, ...(await fetchStream(origin, fetchImpl)) };
  }
  const origin = joinPath(location.path, name);
  if (!(await location.files.exists(origin))) {
    const hasBin = await location.files.exists(joinPath(location.path, 'pytorch_model.bin'));
    throw new Error(`${origin} not found${hasBin ? ' (only pytorch_model.bin is there: convert it to safetensors first)' : ''}`);
  }
  if (location.files.openRead) return { origin, ...(await location.files.openRead(origin)) };
  const bytes = await location.files.readFile(origin);
  return { origin, size: bytes.byteLength, chunks: (async function* () { yield bytes; })() };
}

/**
 * Loads a pretrained GPT-2. Every tensor is checked: unknown, missing or
 * mis-shaped tensors give an error naming the tensor and both shapes.
 *
 * @example
 * ```ts
 * const model = await loadPretrained('./models/gpt2');          // local directory
 * const same = await loadPretrained('openai-community/gpt2');    // Hugging Face Hub
 * ```
 */
export async function loadPretrained(source: PretrainedSource, options: LoadOptions = {}): Promise<GPT2Model> {
  const resolved = await resolveBackend(options.backend);
  const { backend } = resolved;
  const fetchImpl = options.fetch ?? fetch;
  let configText: string | HFGPT2ConfigJson;
  let configOrigin: string;
  let weights: { origin: string; size?: number; chunks: AsyncIterable<Uint8Array> } | undefined;
  let inMemory: Uint8Array | undefined;
  if (typeof source === 'object' && !(source instanceof URL)) {
    configText = source.config;
    configOrigin = 'config';
    inMemory = source.weights;
  } else {
    const location = await locate(source, options, backend);
    const config = await readText(location, 'config.json', fetchImpl);
    configText = config.text;
    configOrigin = config.origin;
    weights = await openWeights(location, fetchImpl);
  }
  const config = fromHFConfig(configText, configOrigin);
  const collector = new CheckpointCollector(config, weights?.origin ?? 'weights');
  if (inMemory) {
    for (const tensor of parseSafetensors(inMemory, 'weights').tensors.values()) collector.add(tensor);
  } else if (weights) {
    const chunks = withProgress(weights.chunks, weights.origin, weights.size, options.onProgress);
    for await (const tensor of streamSafetensors(chunks, weights.origin)) collector.add(tensor);
  }
  collector.assertComplete();
  return GPT2Model.fromValues(config, (name) => collector.take(name), { vocabChunkRows: options.vocabChunkRows, backend: resolved });
}
