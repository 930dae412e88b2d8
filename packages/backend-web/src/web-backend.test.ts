/**
 * Selection and fallback of the web backend, without a GPU: the WebGPU side
 * is a fake adapter (or nothing), the fallbacks are the real wasm and cpu
 * engines. Real WebGPU runs in webgpu/webgpu-in-node.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferLimitError, WebBackendUnavailableError, WebGPUNotAvailableError, createWebBackend, webBackend, type WebBackendKind } from './index';
import { fakeGpu } from './testing/fake-gpu';

const MiB = 1 << 20;

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('createWebBackend', () => {
  it('implements specification v1 and touches nothing before doInit', () => {
    const fake = fakeGpu();
    const backend = createWebBackend({ gpu: fake.gpu, log: false });
    expect(backend.specificationVersion).toBe('v1');
    expect(backend.name).toBe('web');
    expect(fake.adapterRequests).toHaveLength(0);
    expect(() => backend.doCapabilities()).toThrow(/call doInit\(\) first/);
    expect(webBackend.specificationVersion).toBe('v1');
  });

  it('falls back to wasm when the adapter is missing, and says why', async () => {
    const lines: string[] = [];
    const backend = createWebBackend({ gpu: fakeGpu({ adapter: 'null' }).gpu, log: (line) => lines.push(line) });
    await backend.doInit();
    const capabilities = backend.doCapabilities();
    expect(capabilities).toMatchObject({ tfjsBackend: 'wasm', device: 'cpu', supportsFloat16: false });
    expect(capabilities.maxBindingBytes).toBeUndefined();
    expect(capabilities.description).toMatch(/^webgpu unavailable: requestAdapter\(\) returned no adapter.* → using wasm/);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([`tunekit: ${capabilities.description}`]);
  });

  it('follows the stated order: without navigator.gpu and with cpu before wasm, cpu runs', async () => {
    const backend = createWebBackend({ prefer: ['webgpu', 'cpu', 'wasm'], log: false });
    await backend.doInit();
    expect(backend.doCapabilities().tfjsBackend).toBe('cpu');
    expect(backend.doCapabilities().description).toMatch(/^webgpu unavailable: navigator\.gpu is undefined.* → using cpu/);
  });

  it('records a typed refusal as the reason and moves on', async () => {
    const gpu = fakeGpu({ limits: { maxStorageBufferBindingSize: 128 * MiB } }).gpu;
    const backend = createWebBackend({ gpu, minBindingBytes: 256 * MiB, prefer: ['webgpu', 'cpu'], log: false });
    await backend.doInit();
    expect(backend.doCapabilities().description).toContain('webgpu unavailable: The WebGPU adapter binds at most 128 MiB per storage buffer');
  });

  it('with webgpu alone, throws its typed error instead of falling back', async () => {
    await expect(createWebBackend({ prefer: ['webgpu'], log: false }).doInit()).rejects.toBeInstanceOf(WebGPUNotAvailableError);
    const gpu = fakeGpu({ limits: { maxStorageBufferBindingSize: 128 * MiB } }).gpu;
    await expect(createWebBackend({ gpu, prefer: ['webgpu'], minBindingBytes: 256 * MiB, log: false }).doInit()).rejects.toBeInstanceOf(BufferLimitError);
  });

  it('when every engine fails, lists each attempt', async () => {
    const backend = createWebBackend({ prefer: ['webgpu', 'webgl' as WebBackendKind], log: false });
    const error = (await backend.doInit().catch((e: unknown) => e)) as WebBackendUnavailableError;
    expect(error).toBeInstanceOf(WebBackendUnavailableError);
    expect(error.attempts.map((a) => a.backend)).toEqual(['webgpu', 'webgl']);
    expect(error.attempts[0]!.error).toBeInstanceOf(WebGPUNotAvailableError);
    expect(error.message).toContain('webgl: unknown backend "webgl" (webgpu, wasm, cpu)');
  });

  it('doInit is idempotent and re-selects its engine after a switch', async () => {
    const gpu = fakeGpu({ adapter: 'null' });
    const backend = createWebBackend({ gpu: gpu.gpu, prefer: ['webgpu', 'cpu'], log: false });
    await backend.doInit();
    await tf.setBackend('wasm');
    await backend.doInit();
    expect(tf.getBackend()).toBe('cpu');
    expect(gpu.adapterRequests).toHaveLength(1);
  });

  it("uses core's Node file I/O in Node unless given one", async () => {
    expect(await createWebBackend({ log: false }).files!.exists('package.json')).toBe(true);
    const files = { exists: async () => false } as never;
    expect(createWebBackend({ files, log: false }).files).toBe(files);
  });
});
