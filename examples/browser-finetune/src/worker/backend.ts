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
  if (self.crossOriginIsolated && (prefer ?? ['wasm']).includes('wasm')) await useEveryCore();
  const backend = createWebBackend({ prefer, wasmPaths: wasmFolder, onGPUError: (error) => onGPUError(error.message) });
  // resolveBackend runs doInit() and remembers the backend: createModel and
  // loadPretrained given the same backend then size their buffers from its limits.
  const { capabilities } = await resolveBackend(backend);
  return { backend, capabilities };
}

/**
 * Asks tfjs's wasm engine for one thread per core. Its default is half the
 * cores (at most 4), which is one thread on a two-core laptop; the worker
 * has the whole machine to itself while it trains. Must run before the
 * engine starts, and only matters when it can use threads (isolated page).
 */
async function useEveryCore(): Promise<void> {
  const { setThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  setThreadsCount(navigator.hardwareConcurrency || 1);
}

/**
 * The threads tfjs's wasm engine really runs on: several when the page is
 * cross-origin isolated (it then loads its threaded binary), else 1. Asked
 * of tfjs because core's description assumes one thread.
 */
export async function wasmThreadCount(): Promise<number> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return getThreadsCount();
}
