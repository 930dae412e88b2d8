/**
 * `loadModel`: a GPT-2 in the Hugging Face layout (`config.json` +
 * `model.safetensors`) from a local directory, a URL, a Hub id, or bytes.
 */
import { FileNotFoundError } from '@tunekit/formats';
import type { BackendV1, FileIO } from '../backend/backend-spec';
import { resolveBackend } from '../backend/resolve-backend';
import { fromHFConfig, type HFGPT2ConfigJSON } from '../model/config';
import { GPT2Model, type ModelOptions } from '../model/gpt2-model';
import { TunekitError } from '@tunekit/formats';
import { collectBytes, fetchStream, type ProgressCallback, withProgress } from './fetch-stream';
import { CheckpointCollector } from './hf-checkpoint';
import { hubDownload } from './hub-download';
import { HubError } from './hub-error';
import { canonicalRepoId, isHubRepoId, isPathLike } from './hub-id';
import { hubSettings, type HubOverrides } from './hub-settings';
import { isNodeRuntime } from '@tunekit/backend-spec';
import { defaultFiles } from '../backend/default-backend';
import { joinPath, parentDirectory } from './join-path';
import { parseSafetensors, streamSafetensors } from './safetensors';

/** Where a model comes from. */
export type ModelSource =
  /** A local directory, an `http(s)://` base URL, or a Hugging Face Hub id such as `gpt2` or `openai-community/gpt2-medium`. */
  | string
  | URL
  /** A checkpoint already in memory. */
  | { config: HFGPT2ConfigJSON | string; weights: Uint8Array };

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends ModelOptions, HubOverrides {
  /** Where the model comes from: a directory, URL, Hub id, or the files in memory. */
  source: ModelSource;
  /** Backend to run on (default: the embedded CPU backend). */
  backend?: BackendV1;
  /** Progress of downloading (Hub, URL) and of reading `model.safetensors`. */
  onProgress?: ProgressCallback;
  /** File access for local directories (default: the backend's; in Node, else the default CPU backend's: Node's file system). */
  files?: FileIO;
  /** `fetch` to use for URLs and the Hub (default: the global one). */
  fetch?: typeof fetch;
  /** Hub revision (branch, tag or commit) for Hub ids. Default `main`. */
  revision?: string;
  /**
   * Give the model a separate output head (`tieWordEmbeddings: false`) that
   * starts as a copy of `wte` when the checkpoint has no `lm_head.weight`,
   * as chapter 7 of LLMs-from-scratch loads GPT-2 (its `out_head` is a copy
   * of `wte` that then trains on its own). A checkpoint that already has an
   * untied head keeps it. Costs vocabSize × embeddingDim more parameters,
   * plus their gradients and AdamW moments while training. Default false:
   * the model is tied or untied as its `config.json` says.
   */
  untieOutputHead?: boolean;
}

type Location =
  | { kind: 'directory'; path: string; files: FileIO }
  | { kind: 'url'; base: string; headers?: Record<string, string> }
  | { kind: 'hub'; repoId: string; asTyped: string; files: FileIO };

/**
 * The files local folders are read with: the given ones, else the backend's;
 * in Node a backend without files still reads folders through the default
 * CPU backend's, Node's file system. Core has no file access of its own.
 */
function localFiles(options: LoadModelOptions, backend: BackendV1): FileIO | undefined {
  return options.files ?? backend.files ?? (isNodeRuntime() ? defaultFiles() : undefined);
}

/** True when `path` is an existing directory, as far as `files` can tell (without `fileSize`, anything that exists). */
async function isDirectory(files: FileIO, path: string): Promise<boolean> {
  if (!(await files.exists(path))) return false;
  return files.fileSize ? (await files.fileSize(path)) === undefined : true;
}

/**
 * Local directory, URL or Hub id. A string that can only be a path (`./x`,
 * `/x`, `a/b/c`), or whose first folder exists here (`models/gpt2-typo` with a
 * `models/` folder), is never sent to the Hub: a typo gets "no such directory".
 */
async function locate(source: string | URL, options: LoadModelOptions, backend: BackendV1): Promise<Location> {
  const text = source.toString();
  if (/^https?:\/\//.test(text)) return { kind: 'url', base: text.replace(/\/+$/, '') };
  const files = localFiles(options, backend);
  if (files && (await files.exists(text))) {
    if (await files.exists(joinPath(text, 'config.json'))) return { kind: 'directory', path: text, files };
    const what = (await isDirectory(files, text)) ? 'is a directory without config.json' : 'is a file, not a model directory';
    throw new TunekitError('model_not_found', `Cannot load "${text}": it ${what}.`, { fix: 'Give the folder that holds config.json and model.safetensors (as saveModel or save_pretrained write them).' });
  }
  const repoId = canonicalRepoId(text);
  const firstFolder = text.includes('/') ? text.slice(0, text.indexOf('/')) : undefined;
  const localParent = files && firstFolder !== undefined && (await isDirectory(files, firstFolder));
  if (isPathLike(text) || localParent || !isHubRepoId(repoId)) {
    // Only for the message: a FileIO that cannot resolve paths leaves it out.
    const absolute = await files?.resolvePath?.(text).catch(() => undefined);
    const where = absolute && absolute !== text ? ` (${absolute})` : '';
    throw new TunekitError('model_not_found', `Cannot load "${text}": no such directory${where}.`, {
      fix: isHubRepoId(repoId) ? 'Check the path; for a Hugging Face Hub model give its id without a local folder of that name in the way.' : 'Check the path.',
    });
  }
  if (!isNodeRuntime()) {
    // No cache folder in a browser: read the Hub's resolve URLs directly.
    const settings = await hubSettings(options);
    const headers: Record<string, string> | undefined = settings.token ? { authorization: `Bearer ${settings.token}` } : undefined;
    return { kind: 'url', base: `${settings.endpoint}/${repoId}/resolve/${encodeURIComponent(options.revision ?? 'main')}`, headers };
  }
  return { kind: 'hub', repoId, asTyped: text, files: files ?? defaultFiles() };
}

/** Config and weights of a Hub repo through the Hugging Face cache; both from the same commit. */
async function fromHub(location: { repoId: string; asTyped: string; files: FileIO }, options: LoadModelOptions): Promise<Exclude<Location, { kind: 'hub' }>> {
  // The cache is read and written through the same files as local folders.
  const download = { ...options, onProgress: options.onProgress, files: location.files };
  try {
    const config = await hubDownload({ repoId: location.repoId, filename: 'config.json', ...download });
    await hubDownload({ repoId: location.repoId, filename: 'model.safetensors', ...download, revision: config.commit });
    return { kind: 'directory', path: parentDirectory(config.path), files: location.files };
  } catch (error) {
    // "org/name" might have been meant as a folder: say that none exists.
    if (error instanceof HubError && location.asTyped.includes('/')) {
      throw error.withNote(`There is no local directory "${location.asTyped}" either.`);
    }
    throw error;
  }
}

async function readText(location: Exclude<Location, { kind: 'hub' }>, name: string, fetchImpl: typeof fetch): Promise<{ text: string; origin: string }> {
  if (location.kind === 'directory') {
    const origin = joinPath(location.path, name);
    return { text: new TextDecoder().decode(await location.files.readFile(origin)), origin };
  }
  const origin = `${location.base}/${name}`;
  const { chunks, size } = await fetchStream(origin, { fetch: fetchImpl, headers: location.headers });
  return { text: new TextDecoder().decode(await collectBytes(chunks, { size })), origin };
}

async function openWeights(location: Exclude<Location, { kind: 'hub' }>, fetchImpl: typeof fetch): Promise<{ origin: string; size?: number; chunks: AsyncIterable<Uint8Array> }> {
  const name = 'model.safetensors';
  if (location.kind === 'url') {
    const origin = `${location.base}/${name}`;
    const { size, chunks } = await fetchStream(origin, { fetch: fetchImpl, headers: location.headers });
    return { origin, size, chunks };
  }
  const origin = joinPath(location.path, name);
  if (!(await location.files.exists(origin))) {
    const hasBin = await location.files.exists(joinPath(location.path, 'pytorch_model.bin'));
    throw new FileNotFoundError(origin, { message: `${origin} not found${hasBin ? ' (only pytorch_model.bin is there)' : ''}`, fix: hasBin ? 'Convert it to safetensors first (transformers: save_pretrained(folder, safe_serialization=True)).' : 'Check the path, or download the complete model folder (config.json, model.safetensors, tokenizer files).' });
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
 * const model = await loadModel({ source: './models/gpt2' });               // local directory
 * const same = await loadModel({ source: 'openai-community/gpt2' });         // Hugging Face Hub, cached
 * const small = await loadModel({ source: 'gpt2', revision: 'main' });      // preset name = openai-community/gpt2
 * ```
 *
 * Hub ids go through the Hugging Face cache (`~/.cache/huggingface/hub`, or
 * `HF_HUB_CACHE` / `HF_HOME`), shared with Python's `huggingface_hub`:
 * downloads resume, a cached file is revalidated by its ETag, and
 * `HF_HUB_OFFLINE=1` uses the cache only. `HF_TOKEN` opens gated repos,
 * `HF_ENDPOINT` points at a mirror.
 */
export async function loadModel(options: LoadModelOptions): Promise<GPT2Model> {
  const { source } = options;
  const resolved = await resolveBackend(options.backend);
  const { backend } = resolved;
  const fetchImpl = options.fetch ?? fetch;
  let configText: string | HFGPT2ConfigJSON;
  let configOrigin: string;
  let weights: { origin: string; size?: number; chunks: AsyncIterable<Uint8Array> } | undefined;
  let inMemory: Uint8Array | undefined;
  if (typeof source === 'object' && !(source instanceof URL)) {
    configText = source.config;
    configOrigin = 'config';
    inMemory = source.weights;
  } else {
    const located = await locate(source, options, backend);
    const location = located.kind === 'hub' ? await fromHub(located, options) : located;
    const config = await readText(location, 'config.json', fetchImpl);
    configText = config.text;
    configOrigin = config.origin;
    weights = await openWeights(location, fetchImpl);
  }
  const stored = fromHFConfig(configText, { origin: configOrigin });
  const config = options.untieOutputHead ? { ...stored, tieWordEmbeddings: false } : stored;
  const collector = new CheckpointCollector(config, weights?.origin ?? 'weights');
  if (inMemory) {
    for (const tensor of parseSafetensors(inMemory, { origin: 'weights' }).tensors.values()) collector.add(tensor);
  } else if (weights) {
    const chunks = withProgress(weights.chunks, { file: weights.origin, totalBytes: weights.size, onProgress: options.onProgress });
    for await (const tensor of streamSafetensors(chunks, { origin: weights.origin })) collector.add(tensor);
  }
  if (options.untieOutputHead && !collector.has('lm_head.weight')) collector.copy('wte.weight', 'lm_head.weight');
  collector.assertComplete();
  return GPT2Model.fromValues(config, (name) => collector.take(name), { vocabChunkRows: options.vocabChunkRows, backend: resolved });
}
