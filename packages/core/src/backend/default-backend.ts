/**
 * The backend core runs on when none is given: `@tunekit/backend-cpu`,
 * imported on first need. A literal specifier, so bundlers put it in a chunk
 * of its own that a page passing its own backend (WebGPU) never loads.
 */
import { TunekitError } from '@tunekit/formats';
import type { BackendV1 } from './backend-spec';

let loading: Promise<BackendV1> | undefined;

/** The default CPU backend (one shared instance), loaded lazily. */
export function defaultBackend(): Promise<BackendV1> {
  loading ??= import('@tunekit/backend-cpu').then(
    (module) => module.cpuBackend,
    (error: unknown) => {
      loading = undefined;
      throw new TunekitError('backend_unavailable', 
        `No backend was given and the default, @tunekit/backend-cpu, could not be loaded (${(error as Error).message.split('\n')[0]}). ` +
          'Install it, or pass { backend } (e.g. createWebBackend() from @tunekit/backend-web).',
        { cause: error },
      );
    },
  );
  return loading;
}
