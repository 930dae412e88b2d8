// The backend conformance suite on the embedded CPU backend (the default).
import { afterAll, describe, it } from 'vitest';
import { cpuBackend } from '@tunekit/core';
import { registerBackendConformance } from '@tunekit/core/testing';

registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend: cpuBackend, tolerance: 1e-4 });
