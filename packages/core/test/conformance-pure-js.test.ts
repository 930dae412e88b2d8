// The backend conformance suite on the embedded backend's last resort: tfjs's
// pure-JavaScript cpu kernels (plus our segment-sum), used where neither the
// native kernels nor wasm can start.
import { afterAll, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { registerBackendConformance } from '@tunekit/core/testing';

const backend = createCPUBackend({ prefer: ['cpu'] });

it('runs on the pure-JavaScript cpu flavour', async () => {
  await backend.doInit();
  expect(backend.doCapabilities().description).toMatch(/^cpu \(pure JavaScript/);
});

registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend, tolerance: 1e-4 });
