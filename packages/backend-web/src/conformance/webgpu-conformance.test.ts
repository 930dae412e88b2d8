/**
 * The backend conformance suite of `@tunekit/core/testing` on WebGPU in Node:
 * Dawn on SwiftShader (Vulkan on the CPU), tolerance 1e-3 on logits, loss and
 * hidden states against the PyTorch golden values, and no GPU validation
 * error in any test. SwiftShader runs tfjs's matMul shaders at ~0.02 GFLOP/s on
 * the tiny model's 50257-wide LM head, so the two checks that take minutes
 * (training-steps, full-vocabulary-step) are skipped here with their measured
 * time, and run on the OpenGL driver instead
 * (webgpu-opengl-conformance.test.ts); TUNEKIT_CONFORMANCE_SLOW=1 runs them
 * here too. Without the driver the suite is skipped with the reason printed
 * (a failure under TUNEKIT_REQUIRE_WEBGPU=1, as in CI). One Dawn instance per
 * test file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerBackendConformance, type ConformanceCheckName } from '@tunekit/core/testing';
import { startDawnForTests } from './dawn-for-tests';
import { watchedWebGPUBackend } from './watched-webgpu-backend';

const TOLERANCE = 1e-3;
const RUN_SLOW = process.env.TUNEKIT_CONFORMANCE_SLOW === '1';
// Measured in full runs here (TUNEKIT_CONFORMANCE_SLOW=1) on a 2-vCPU VM that
// other jobs kept at load 4.5–8; generation and memory-stability took 25–52 s
// and 28–123 s there, and stay in. dpo-step (a small-vocabulary model, see
// conformance-dpo.ts) took 36 s at load 20–27 and stays in; with the
// 50257-wide fixture it had timed out after 300 s.
const slow = (measured: string) =>
  `too slow on SwiftShader (${measured} on 2 vCPUs); runs on the OpenGL driver, or here with TUNEKIT_CONFORMANCE_SLOW=1`;
const SLOW_CHECKS: Partial<Record<ConformanceCheckName, string>> = {
  'training-steps': slow('139–267 s'),
  'full-vocabulary-step': slow('125–198 s'),
};

const { dawn, skipReason } = await startDawnForTests('swiftshader', 'WebGPU conformance suite');

if (!dawn) {
  describe('backend conformance: webgpu (Dawn, swiftshader driver)', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  describe('WebGPU in Node (Dawn, swiftshader driver)', () => {
    const { backend, gpuErrors, lost, log } = watchedWebGPUBackend(dawn, 'swiftshader');

    afterEach(async (context) => gpuErrors.close(context.task.name));

    registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend, tolerance: TOLERANCE, skip: RUN_SLOW ? {} : SLOW_CHECKS, log });

    it('raised no GPU validation error in any test, and kept its device', () => {
      expect(tf.getBackend()).toBe('webgpu');
      expect(gpuErrors.all(log)).toEqual([]);
      expect(lost).toEqual([]);
    });

    afterAll(async () => {
      await backend.dispose();
      dawn.release();
    });
  });
}
