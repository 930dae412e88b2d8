// The backend conformance suite on the embedded backend's wasm flavour (what
// browsers without WebGPU get, and Node without the native kernels).
import { afterAll, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { registerBackendConformance } from '@tunekit/core/testing';

const backend = createCPUBackend({ prefer: ['wasm'] });

it('runs on the wasm flavour', async () => {
  await backend.doInit();
  expect(backend.doCapabilities().tfjsBackend).toBe('wasm');
});

registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend, tolerance: 1e-4 });
