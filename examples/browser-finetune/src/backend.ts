/**
 * Starting the compute backend: WebGPU when the browser has it, else wasm,
 * else plain JavaScript (`@tunekit/backend-web` decides and says why). The
 * page shows the engine and that reason, because a silent fallback to the
 * CPU would make training look mysteriously slow.
 */
import { createWebBackend, type WebBackend, type WebBackendKind } from '@tunekit/backend-web';
import { type BackendCapabilities, resolveBackend } from '@tunekit/core';

/** A started backend and what it reported. */
export interface StartedBackend {
  backend: WebBackend;
  capabilities: BackendCapabilities;
  /** GPU errors reported so far (validation, out of memory): tfjs returns zeros on them instead of failing. */
  gpuErrors(): number;
}

/**
 * Engines to try, from `?prefer=wasm,cpu` in the page URL (for trying the
 * fallback on a machine with WebGPU), else backend-web's default order.
 */
export function preferredEngines(search: string): WebBackendKind[] | undefined {
  const value = new URLSearchParams(search).get('prefer');
  if (!value) return undefined;
  const kinds = value.split(',').map((k) => k.trim());
  const known: WebBackendKind[] = ['webgpu', 'wasm', 'cpu'];
  const bad = kinds.filter((k) => !known.includes(k as WebBackendKind));
  if (bad.length) throw new Error(`?prefer: unknown engine(s) ${bad.join(', ')} (webgpu, wasm, cpu)`);
  return kinds as WebBackendKind[];
}

/** Where the Vite config serves tfjs's wasm binaries (see `vite.config.ts`). */
function wasmFolder(): string {
  return new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, document.baseURI).href;
}

/** Creates the web backend and makes it core's active backend (models created later run on it). */
export async function startBackend(prefer: readonly WebBackendKind[] | undefined, onGPUError: (message: string) => void): Promise<StartedBackend> {
  let gpuErrors = 0;
  const backend = createWebBackend({
    prefer,
    wasmPaths: wasmFolder(),
    onGPUError: (error) => {
      gpuErrors++;
      onGPUError(error.message);
    },
  });
  // resolveBackend runs doInit() and remembers the backend: createModel and
  // loadPretrained given the same backend then size their buffers from its limits.
  const { capabilities } = await resolveBackend(backend);
  return { backend, capabilities, gpuErrors: () => gpuErrors };
}
