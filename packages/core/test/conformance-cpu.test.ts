// The backend conformance suite on the embedded CPU backend as chosen by default
// (the native kernels where they built; see conformance-wasm/-pure-js for the others).
import { afterAll, describe, it } from 'vitest';
import { cpuBackend } from '@tunekit/backend-cpu';
import { registerBackendConformance } from '@tunekit/core/testing';

registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend: cpuBackend, tolerance: 1e-4 });
