import { describe, expect, it } from 'vitest';
import { BufferLimitError, FeatureUnsupportedError, ShaderF16UnsupportedError, WebGPUNotAvailableError } from '../errors';
import { fakeGpu } from '../testing/fake-gpu';
import { describeAdapter, detectWebGPU } from './detect-webgpu';

const MiB = 1 << 20;

describe('detectWebGPU', () => {
  it('asks for the adapter’s full limits, so the device binds more than the 128 MiB default', async () => {
    const fake = fakeGpu({ limits: { maxStorageBufferBindingSize: 1024 * MiB, maxBufferSize: 2048 * MiB } });
    const detected = await detectWebGPU({ gpu: fake.gpu });
    expect(fake.deviceRequests[0]?.requiredLimits).toMatchObject({ maxStorageBufferBindingSize: 1024 * MiB, maxBufferSize: 2048 * MiB, maxComputeWorkgroupStorageSize: 32768 });
    expect(detected.maxBindingBytes).toBe(1024 * MiB);
    expect(detected.maxBufferBytes).toBe(2048 * MiB);
    expect(detected.supportsFloat16).toBe(false);
  });

  it('enables shader-f16 whenever the adapter has it', async () => {
    const fake = fakeGpu({ features: ['shader-f16', 'timestamp-query'] });
    const detected = await detectWebGPU({ gpu: fake.gpu });
    expect(fake.deviceRequests[0]?.requiredFeatures).toEqual(['shader-f16']);
    expect(detected.supportsFloat16).toBe(true);
  });

  it('defaults to the high-performance adapter and passes adapterOptions through', async () => {
    const fake = fakeGpu();
    await detectWebGPU({ gpu: fake.gpu, adapterOptions: { featureLevel: 'compatibility' } });
    await detectWebGPU({ gpu: fake.gpu, powerPreference: 'low-power' });
    expect(fake.adapterRequests).toEqual([{ powerPreference: 'high-performance', featureLevel: 'compatibility' }, { powerPreference: 'low-power' }]);
  });

  it('without navigator.gpu: WebGPUNotAvailableError that says how to get one', async () => {
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    const error = await detectWebGPU().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebGPUNotAvailableError);
    expect((error as Error).message).toMatch(/navigator\.gpu is undefined.*secure context.*createNodeWebGPU/s);
  });

  it('no adapter, or a failing request: WebGPUNotAvailableError', async () => {
    await expect(detectWebGPU({ gpu: fakeGpu({ adapter: 'null' }).gpu })).rejects.toThrow(/requestAdapter\(\) returned no adapter/);
    const thrown = await detectWebGPU({ gpu: fakeGpu({ adapter: 'throws' }).gpu }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(WebGPUNotAvailableError);
    expect((thrown as Error).cause).toBeInstanceOf(Error);
    await expect(detectWebGPU({ gpu: fakeGpu({ deviceError: 'out of memory' }).gpu })).rejects.toThrow(/requestDevice\(\) failed: out of memory/);
  });

  it('binding limit below minBindingBytes: BufferLimitError with both numbers', async () => {
    const error = (await detectWebGPU({ gpu: fakeGpu({ limits: { maxStorageBufferBindingSize: 128 * MiB } }).gpu, minBindingBytes: 154 * MiB }).catch((e: unknown) => e)) as BufferLimitError;
    expect(error).toBeInstanceOf(BufferLimitError);
    expect(error).toMatchObject({ requiredBytes: 154 * MiB, availableBytes: 128 * MiB });
    expect(error.message).toContain('binds at most 128 MiB per storage buffer');
    await expect(detectWebGPU({ gpu: fakeGpu({ limits: { maxStorageBufferBindingSize: 128 * MiB } }).gpu, minBindingBytes: 128 * MiB })).resolves.toBeDefined();
  });

  it('required shader-f16 or other features missing: typed errors', async () => {
    const gpu = fakeGpu({ features: [] }).gpu;
    await expect(detectWebGPU({ gpu, requireFloat16: true })).rejects.toBeInstanceOf(ShaderF16UnsupportedError);
    await expect(detectWebGPU({ gpu, requiredFeatures: ['shader-f16'] })).rejects.toBeInstanceOf(ShaderF16UnsupportedError);
    const other = (await detectWebGPU({ gpu, requiredFeatures: ['subgroups'] }).catch((e: unknown) => e)) as FeatureUnsupportedError;
    expect(other).toBeInstanceOf(FeatureUnsupportedError);
    expect(other.feature).toBe('subgroups');
  });
});

describe('describeAdapter', () => {
  it('uses what the adapter reveals', () => {
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('google swiftshader');
    expect(describeAdapter({ description: 'NVIDIA GeForce RTX 4090', vendor: 'nvidia' })).toBe('NVIDIA GeForce RTX 4090');
    expect(describeAdapter({})).toBe('unnamed adapter');
  });
});
