/** Creating a randomly initialised GPT-2 on a backend. */
import type { BackendV1 } from '../backend/backend-spec';
import { resolveBackend } from '../backend/resolve-backend';
import { type GPT2Config, type GPT2PresetName, gpt2Config } from './config';
import { GPT2Model, type ModelOptions } from './gpt2-model';

/** Options of {@link createModel}. */
export interface CreateModelOptions extends ModelOptions {
  /** Seed of the initialisation. Default 0. */
  seed?: number;
  /** Backend to run on (default: the embedded CPU backend). */
  backend?: BackendV1;
}

/**
 * A randomly initialised GPT-2 (`transformers`' initialisation), e.g. to
 * pre-train from scratch or to test a pipeline quickly with a tiny config.
 *
 * @example
 * ```ts
 * const tiny = await createModel({ embeddingDim: 64, numLayers: 2, numHeads: 4, contextLength: 128 });
 * ```
 */
export async function createModel(config: GPT2PresetName | Partial<GPT2Config> = 'gpt2', options: CreateModelOptions = {}): Promise<GPT2Model> {
  const backend = await resolveBackend(options.backend);
  return GPT2Model.random(gpt2Config(config), options.seed ?? 0, { vocabChunkRows: options.vocabChunkRows, backend });
}
