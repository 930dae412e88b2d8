/**
 * The wasm and cpu fallbacks. They are `@tunekit/backend-cpu` (core's
 * default) restricted to one flavour, so a page that falls back gets the same
 * kernels as core's default (the wasm matMul and the segment-sum kernel the
 * embedding gradient needs) rather than a second, subtly different setup.
 * Imported only when a fallback starts, so a page that gets WebGPU never
 * loads CPU or wasm backend code.
 */
import type { BackendCapabilities } from '@tunekit/core';

/** The CPU flavours a web page can fall back to. */
export type CpuFallbackKind = 'wasm' | 'cpu';

/** Starts one CPU flavour and returns its capabilities; throws when it cannot start. */
export async function startCpuFallback(kind: CpuFallbackKind, wasmPaths: string | undefined): Promise<BackendCapabilities> {
  const { createCPUBackend } = await import('@tunekit/backend-cpu');
  const backend = createCPUBackend({ prefer: [kind], wasmPaths });
  await backend.doInit();
  return backend.doCapabilities();
}
