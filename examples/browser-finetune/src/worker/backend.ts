/**
 * Starting the compute backend inside the worker: WebGPU when the browser
 * offers it to workers, else wasm (threaded when the page is cross-origin
 * isolated), else plain JavaScript. `@tunekit/backend-web` decides and says
 * why; the page turns that into advice for the user (`engine-advice.ts`).
 */
import { createWebBackend, type WebBackend } from '@tunekit/backend-web';
import { type BackendCapabilities, resolveBackend } from '@tunekit/core';
import type { EngineKind } from '../protocol';

/** A started backend and what it reported. */
export interface StartedBackend {
  backend: WebBackend;
  capabilities: BackendCapabilities;
}

/**
 * Creates the web backend and makes it core's active backend (models created
 * later run on it). `wasmFolder` is an absolute URL: a worker's own URL is
 * its chunk's, not the page's, so the page tells it where the binaries are.
 */
export async function startBackend(prefer: readonly EngineKind[] | undefined, wasmFolder: string, onGPUError: (message: string) => void): Promise<StartedBackend> {
  const backend = createWebBackend({ prefer, wasmPaths: wasmFolder, onGPUError: (error) => onGPUError(error.message) });
  // resolveBackend runs doInit() and remembers the backend: createModel and
  // loadModel given the same backend then size their buffers from its limits.
  const { capabilities } = await resolveBackend(backend);
  return { backend, capabilities };
}

/**
 * The threads tfjs's wasm engine really runs on. With the page cross-origin
 * isolated it loads its threaded binary, whose pool tfjs caps at half the
 * logical cores (so 1 on a two-core machine, 4 on an 8-thread laptop);
 * otherwise 1. Asked of tfjs because core's description assumes one thread.
 */
export async function wasmThreadCount(): Promise<number> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return getThreadsCount();
}
