/**
 * Model lifecycle on WebGPU in Node (Dawn, swiftshader driver): create, load,
 * adapt, train — then dispose — return tf.memory() (GPU buffers included) to
 * where it was, with no GPU validation error. Skipped with the reason when
 * the driver is missing; a failure under TUNEKIT_REQUIRE_WEBGPU=1.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerLifecycleChecks } from '@tunekit/core/testing';
import { startDawnForTests } from './dawn-for-tests';
import { watchedWebGPUBackend } from './watched-webgpu-backend';

const { dawn, skipReason } = await startDawnForTests('swiftshader', 'WebGPU lifecycle tests');

if (!dawn) {
  describe('model lifecycle: webgpu (Dawn, swiftshader driver)', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  describe('model lifecycle on WebGPU in Node (Dawn, swiftshader driver)', () => {
    const { backend, gpuErrors, lost, log } = watchedWebGPUBackend(dawn, 'swiftshader');
    afterEach(async (context) => gpuErrors.close(context.task.name));

    registerLifecycleChecks({ describe, it, afterAll, skip: it.skip }, { backend, timeoutMs: 300_000 });

    it('raised no GPU validation error, and kept its device', () => {
      expect(gpuErrors.all(log)).toEqual([]);
      expect(lost).toEqual([]);
    });

    afterAll(async () => {
      await backend.dispose();
      dawn.release();
    });
  });
}
