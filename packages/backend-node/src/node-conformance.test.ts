/**
 * The backend conformance suite of `@tunekit/core/testing` on the native
 * backend (tfjs-node-gpu, else tfjs-node). Neither package installs in this
 * repository's CI (their install step downloads libtensorflow), so the suite
 * is skipped there with NodeBackendUnavailableError's reason in the test
 * title: a visible skip, never a silent pass. On a machine with either package
 * every check runs; TUNEKIT_REQUIRE_NODE_BACKEND=1 makes a missing package a
 * failure instead (for a CUDA CI job).
 */
import { afterAll, describe, it } from 'vitest';
import { registerBackendConformance } from '@tunekit/core/testing';
import { createNodeBackend, installCommand, NodeBackendUnavailableError } from './index';

const backend = createNodeBackend({ log: (line) => console.log(line) });
let skipReason: string | undefined;
try {
  await backend.doInit();
} catch (error) {
  if (!(error instanceof NodeBackendUnavailableError) || process.env.TUNEKIT_REQUIRE_NODE_BACKEND === '1') throw error;
  const why = error.attempts.map((a) => `${a.packageName} ${a.failure === 'not-installed' ? 'is not installed' : a.failure}`).join(', ');
  const fix = error.attempts.map((a) => installCommand(a.packageName)).join(' or ');
  skipReason = `${why} (${fix})`;
  console.warn(`[backend-node] conformance suite skipped:\n${error.message}`);
}

if (skipReason) {
  describe(`backend conformance: ${backend.name}`, () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  // libtensorflow computes in float32 on the CPU; on Ampere and newer GPUs its
  // matMuls default to TF32 (10-bit mantissa), hence the looser GPU tolerance.
  const tolerance = backend.doCapabilities().device === 'gpu' ? 1e-3 : 1e-4;
  registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend, tolerance, log: (message) => console.log(`[${backend.name}] ${message}`) });
}
