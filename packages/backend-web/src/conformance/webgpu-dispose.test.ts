/**
 * The web backend's doDispose on WebGPU in Node (Dawn, swiftshader driver):
 * it destroys the GPU device it created, unregisters tfjs's `webgpu` engine,
 * forgets its capabilities, and a second doInit starts a new device that
 * computes. Like the CPU backend's start-up test. Skipped with the reason when
 * the driver is missing; a failure under TUNEKIT_REQUIRE_WEBGPU=1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebBackend } from '../index';
import { startDawnForTests } from './dawn-for-tests';

const { dawn, skipReason } = await startDawnForTests('swiftshader', 'WebGPU doDispose test');

/** x + x on the active engine, read back. */
async function doubled(values: number[]): Promise<number[]> {
  const x = tf.tensor1d(values);
  const y = tf.add(x, x);
  const out = Array.from(await y.data());
  tf.dispose([x, y]);
  return out;
}

/** The device's `lost` info, or `'still alive'` after 10 s (a device nobody destroyed never resolves `lost`). */
function lostWithin10s(device: { lost: Promise<unknown> }): Promise<unknown> {
  return Promise.race([device.lost, new Promise((resolve) => setTimeout(() => resolve('still alive'), 10_000))]);
}

if (!dawn) {
  describe('web backend doDispose: webgpu (Dawn, swiftshader driver)', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  afterAll(() => dawn.release());

  describe('web backend doDispose on WebGPU (Dawn, swiftshader driver)', () => {
    it('destroys its device, unregisters the webgpu engine and forgets its state; a second doInit starts afresh', async () => {
      const backend = createWebBackend({ gpu: dawn.gpu, adapterOptions: dawn.adapterOptions, prefer: ['webgpu'], log: false });
      await backend.doInit();
      const first = backend.gpuDevice();
      expect(first).toBeDefined();
      expect(tf.getBackend()).toBe('webgpu');
      expect(await doubled([1, 2, 3])).toEqual([2, 4, 6]);
      const tensorsBefore = tf.memory().numTensors;

      await backend.doDispose();
      // The device is gone (destroyed by us, not lost), and so is tfjs's engine on it.
      expect(await lostWithin10s(first!)).toMatchObject({ reason: 'destroyed' });
      expect(backend.gpuDevice()).toBeUndefined();
      expect(tf.findBackendFactory('webgpu')).toBeNull();
      expect(tf.findBackend('webgpu')).toBeNull();
      expect(() => backend.doCapabilities()).toThrow(/call doInit\(\) first/);

      // A second start: a new device, the engine selected again, and it computes.
      await backend.doInit();
      const second = backend.gpuDevice();
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(tf.getBackend()).toBe('webgpu');
      expect(backend.doCapabilities().tfjsBackend).toBe('webgpu');
      expect(await doubled([4, 5])).toEqual([8, 10]);
      expect(tf.memory().numTensors).toBe(tensorsBefore);

      await backend.doDispose();
      expect(await lostWithin10s(second!)).toMatchObject({ reason: 'destroyed' });
      expect(tf.findBackendFactory('webgpu')).toBeNull();
    }, 300_000);
  });
}
