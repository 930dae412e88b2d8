/**
 * Test support: a WebGPU entry point with a chosen adapter, so detection and
 * fallback logic can be tested without a GPU. It records what was requested.
 */
import type { GPUAdapterLike, GPUAdapterRequest, GPUDeviceLike, GPUDeviceRequest, GPULike, GPULimitsLike } from '../webgpu/webgpu-types';

const MiB = 1 << 20;

/** What the fake adapter offers, and how it misbehaves. */
export interface FakeAdapterSpec {
  limits?: Partial<GPULimitsLike>;
  features?: string[];
  /** `null` adapter (no GPU), or a rejecting requestAdapter. */
  adapter?: 'present' | 'null' | 'throws';
  /** requestDevice rejects with this message. */
  deviceError?: string;
}

/** The fake entry point plus a log of the requests it received. */
export interface FakeGpu {
  gpu: GPULike;
  adapterRequests: (GPUAdapterRequest | undefined)[];
  deviceRequests: (GPUDeviceRequest | undefined)[];
}

/** A fake `navigator.gpu`. Devices get the limits requested (WebGPU's defaults otherwise), like real ones. */
export function fakeGpu(spec: FakeAdapterSpec = {}): FakeGpu {
  const adapterRequests: (GPUAdapterRequest | undefined)[] = [];
  const deviceRequests: (GPUDeviceRequest | undefined)[] = [];
  const limits: GPULimitsLike = { maxStorageBufferBindingSize: 1024 * MiB, maxBufferSize: 2048 * MiB, maxComputeWorkgroupStorageSize: 32768, ...spec.limits };
  const features = new Set(spec.features ?? []);
  const adapter: GPUAdapterLike = {
    limits,
    features,
    info: { vendor: 'fake', architecture: 'test' },
    async requestDevice(request) {
      deviceRequests.push(request);
      if (spec.deviceError) throw new Error(spec.deviceError); // plain Error: test support: a simulated WebGPU failure
      const granted = { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 256 * MiB, ...request?.requiredLimits } as GPULimitsLike;
      const device: GPUDeviceLike = { limits: granted, features: new Set(request?.requiredFeatures ?? []), lost: new Promise(() => {}), destroy() {} };
      return device;
    },
  };
  const gpu: GPULike = {
    async requestAdapter(request) {
      adapterRequests.push(request);
      if (spec.adapter === 'throws') throw new Error('adapter request blew up'); // plain Error: test support: a simulated WebGPU failure
      return spec.adapter === 'null' ? null : adapter;
    },
  };
  return { gpu, adapterRequests, deviceRequests };
}
