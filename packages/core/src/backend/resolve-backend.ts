/**
 * Starting the backend a model runs on. There is no module-level "current
 * backend": each model keeps the backend it was created on
 * ({@link GPT2Model.backend}), and what depends on the device (chunk sizes,
 * file access) is read from there.
 */
import { UnsupportedError } from '@tunekit/formats';
import type { BackendCapabilities, BackendV1 } from './backend-spec';
import { defaultBackend } from './default-backend';

/** A backend that has been initialised, with its capabilities. */
export interface ResolvedBackend {
  backend: BackendV1;
  capabilities: BackendCapabilities;
}

/**
 * Initialises `backend` (default: `@tunekit/backend-cpu`, loaded lazily), which selects
 * its tfjs engine. Checks the specification version so an incompatible
 * backend package fails with a clear message instead of odd errors later.
 */
export async function resolveBackend(given?: BackendV1): Promise<ResolvedBackend> {
  const backend = given ?? (await defaultBackend());
  const version = (backend as { specificationVersion?: unknown }).specificationVersion;
  if (version !== 'v1') {
    throw new UnsupportedError(`Backend "${String((backend as { name?: unknown }).name)}" implements specification ${String(version)}; @tunekit/core needs v1`, { fix: 'Use a backend package built for this version of @tunekit/core.' });
  }
  await backend.doInit();
  return { backend, capabilities: backend.doCapabilities() };
}

/**
 * Largest `wte` chunk (rows) that fits the backend's binding limit, leaving
 * headroom for tfjs's own padding; undefined when unlimited.
 */
export function vocabChunkRowsFor(capabilities: BackendCapabilities, embeddingDim: number): number | undefined {
  const limit = capabilities.maxBindingBytes;
  if (limit === undefined) return undefined;
  return Math.max(1, Math.floor((limit * 0.9) / (embeddingDim * 4)));
}
