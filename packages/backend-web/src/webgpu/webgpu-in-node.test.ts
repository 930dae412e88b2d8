/**
 * WebGPU in Node: the web backend on Dawn, compared with tfjs's cpu backend.
 * Runs when a software driver is installed (CI installs SwiftShader; see
 * docs/backends.md); otherwise skipped with the reason printed, or failed
 * when TUNEKIT_REQUIRE_WEBGPU=1 (as CI sets it).
 * TUNEKIT_WEBGPU_DRIVER=opengl runs it on Mesa llvmpipe instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeviceLostError, createWebBackend, type WebBackend, type WebGPUDeviceError } from '../index';
import { startDawnForTests } from '../conformance/dawn-for-tests';
import type { NodeWebGPUDriver } from '../node';
import { maxAbsDiff, seededValues, valuesOn } from '../testing/parity';

const driver = (process.env.TUNEKIT_WEBGPU_DRIVER ?? 'swiftshader') as NodeWebGPUDriver;
// Skipped with the reason printed when the driver is missing; TUNEKIT_REQUIRE_WEBGPU=1 (CI) fails instead.
const { dawn } = await startDawnForTests(driver, 'WebGPU-in-Node tests');

/** Tolerance for f32 kernels that sum in a different order than the cpu backend. */
const TOLERANCE = 1e-4;

describe.skipIf(!dawn)(`WebGPU in Node (Dawn, ${driver} driver)`, () => {
  let backend: WebBackend;
  const lostErrors: DeviceLostError[] = [];
  const gpuErrors: WebGPUDeviceError[] = [];
  let tensorsBefore = 0;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    backend = createWebBackend({
      gpu: dawn!.gpu,
      adapterOptions: dawn!.adapterOptions,
      prefer: ['webgpu'],
      log: false,
      onDeviceLost: (e) => lostErrors.push(e),
      onGPUError: (e) => gpuErrors.push(e),
    });
    await backend.doInit();
  });

  afterAll(async () => {
    await backend?.dispose();
    dawn?.release();
    await tf.setBackend('cpu');
  });

  it('runs tfjs on the device, with the adapter’s full binding limit', async () => {
    const capabilities = backend.doCapabilities();
    const adapter = await dawn!.gpu.requestAdapter(dawn!.adapterOptions);
    expect(tf.getBackend()).toBe('webgpu');
    expect(capabilities).toMatchObject({ tfjsBackend: 'webgpu', device: 'gpu' });
    // The device would get WebGPU's default 128 MiB unless we asked for the adapter's maximum.
    expect(capabilities.maxBindingBytes).toBe(adapter!.limits.maxStorageBufferBindingSize);
    expect(capabilities.maxBufferBytes).toBe(adapter!.limits.maxBufferSize);
    expect(backend.gpuDevice()!.limits.maxStorageBufferBindingSize).toBe(capabilities.maxBindingBytes);
    expect(capabilities.description).toMatch(/^webgpu on .+ \(binding \d+(\.\d)? MiB, buffer \d+(\.\d)? MiB, shader-f16 (yes|no)\)$/);
  });

  it(`matMul matches the cpu backend within ${TOLERANCE}`, async () => {
    const a = seededValues(33 * 47, 1);
    const b = seededValues(47 * 29, 2);
    const compute = () => tf.matMul(tf.tensor2d(a, [33, 47]), tf.tensor2d(b, [47, 29]));
    const [gpu] = await valuesOn('webgpu', compute);
    const [cpu] = await valuesOn('cpu', compute);
    expect(maxAbsDiff(gpu!, cpu!)).toBeLessThan(TOLERANCE);
  });

  it(`softmax matches the cpu backend within ${TOLERANCE}`, async () => {
    const logits = seededValues(7 * 50, 3).map((v) => v * 8);
    const compute = () => tf.softmax(tf.tensor2d(logits, [7, 50]));
    const [gpu] = await valuesOn('webgpu', compute);
    const [cpu] = await valuesOn('cpu', compute);
    expect(maxAbsDiff(gpu!, cpu!)).toBeLessThan(TOLERANCE);
    expect(gpu!.slice(0, 50).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it(`gradients of a two-layer MLP loss match the cpu backend within ${TOLERANCE}`, async () => {
    const x = seededValues(8 * 16, 4);
    const y = seededValues(8 * 4, 5);
    const init = [seededValues(16 * 32, 6), seededValues(32, 7), seededValues(32 * 4, 8), seededValues(4, 9)];
    const compute = () => {
      const inputs = tf.tensor2d(x, [8, 16]);
      const targets = tf.tensor2d(y, [8, 4]);
      const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
        const hidden = tf.tanh(tf.add(tf.matMul(inputs, w1 as tf.Tensor2D), b1)); // [8, 32]
        const output = tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2); // [8, 4]
        return tf.mean(tf.square(tf.sub(output, targets)));
      };
      const params = [tf.tensor2d(init[0]!, [16, 32]), tf.tensor1d(init[1]!), tf.tensor2d(init[2]!, [32, 4]), tf.tensor1d(init[3]!)];
      const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => loss(p[0]!, p[1]!, p[2]!, p[3]!))(params);
      return [value, ...grads];
    };
    const gpu = await valuesOn('webgpu', compute);
    const cpu = await valuesOn('cpu', compute);
    expect(gpu).toHaveLength(5);
    for (let i = 0; i < gpu.length; i += 1) expect(maxAbsDiff(gpu[i]!, cpu[i]!), `output ${i}`).toBeLessThan(TOLERANCE);
    expect(Math.max(...gpu[1]!.map(Math.abs))).toBeGreaterThan(1e-3); // a real, non-zero gradient
  });

  it('tf.addN over more inputs than one shader can bind still sums them all', async () => {
    const perShader = backend.gpuDevice()!.limits.maxStorageBuffersPerShaderStage ?? 8;
    const count = 3 * perShader + 2; // several groups and a lone leftover
    const terms = Array.from({ length: count }, (_, i) => seededValues(6, 100 + i));
    const compute = () => tf.addN(terms.map((t) => tf.tensor1d(t)));
    const [gpu] = await valuesOn('webgpu', compute);
    const [cpu] = await valuesOn('cpu', compute);
    expect(maxAbsDiff(gpu!, cpu!)).toBeLessThan(TOLERANCE);
    expect(Math.max(...cpu!.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('leaves no tensors behind and raised no GPU errors', () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(gpuErrors).toEqual([]);
  });

  it('maps device loss to DeviceLostError and recovers on the next doInit', async () => {
    await backend.doInit();
    const first = backend.gpuDevice()!;
    first.destroy(); // what a driver reset looks like from here
    await vi.waitFor(() => expect(lostErrors).toHaveLength(1));
    expect(lostErrors[0]).toBeInstanceOf(DeviceLostError);
    expect(() => backend.doCapabilities()).toThrow(DeviceLostError);
    expect(tf.findBackendFactory('webgpu')).toBeNull(); // nothing keeps computing on the dead device

    await backend.doInit();
    expect(backend.gpuDevice()).not.toBe(first);
    const [sum] = await valuesOn('webgpu', () => tf.sum(tf.tensor1d([1, 2, 3, 4])));
    expect(Array.from(sum!)).toEqual([10]);
  });

  it('dispose unregisters tfjs’s webgpu backend without reporting a loss', async () => {
    await backend.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    expect(backend.gpuDevice()).toBeUndefined();
    expect(lostErrors).toHaveLength(1);
  });
});
