/**
 * WebGPU detection: find the entry point, request an adapter, check the
 * caller's requirements against it, and request a device with the adapter's
 * full limits. No tfjs here; the engine is attached in `webgpu-engine.ts`.
 */
import { isNodeRuntime } from '@tunekit/backend-spec';
import { BufferLimitError, FeatureUnsupportedError, ShaderF16UnsupportedError, WebGPUNotAvailableError } from '../errors';
import type { GPUAdapterInfoLike, GPUAdapterLike, GPUAdapterRequest, GPUDeviceLike, GPULike } from './webgpu-types';

/** What {@link detectWebGPU} needs to know. */
export interface WebGPURequirements {
  /** The WebGPU entry point; default `navigator.gpu`. In Node pass Dawn's, e.g. from `createNodeWebGPU()`. */
  gpu?: GPULike;
  /** Which adapter to ask for when there are several (default `'high-performance'`). */
  powerPreference?: 'low-power' | 'high-performance';
  /** More `requestAdapter` options, e.g. `{ featureLevel: 'compatibility' }` for OpenGL ES-class adapters. */
  adapterOptions?: GPUAdapterRequest;
  /** Features the device must have, e.g. `['shader-f16']`. */
  requiredFeatures?: string[];
  /** Shorthand for requiring `'shader-f16'`. */
  requireFloat16?: boolean;
  /** Smallest acceptable `maxStorageBufferBindingSize`, in bytes. */
  minBindingBytes?: number;
}

/** A device that met the requirements, with what core needs to know about it. */
export interface DetectedWebGPU {
  /** The adapter the device came from. */
  adapter: GPUAdapterLike;
  /** The device, created with the adapter's full buffer limits. */
  device: GPUDeviceLike;
  /** Adapter identification (fields may be empty; browsers redact them). */
  info: GPUAdapterInfoLike;
  /** The device's `maxStorageBufferBindingSize`. */
  maxBindingBytes: number;
  /** The device's `maxBufferSize`. */
  maxBufferBytes: number;
  /** Whether the device has `shader-f16` enabled. */
  supportsFloat16: boolean;
}

// Limits tfjs's webgpu kernels size their work by. A device gets the WebGPU
// defaults unless it asks for more (128 MiB bindings, while SwiftShader offers
// 1 GiB and desktop GPUs often 2-4 GiB), so we ask for what the adapter has.
const LIMITS_TO_RAISE = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  // tfjs binds every input of AddN/Concat-like kernels at once; the default 8 per stage is easy to exceed.
  'maxStorageBuffersPerShaderStage',
] as const;

function findGpu(explicit: GPULike | undefined): GPULike {
  if (explicit) return explicit;
  const gpu = (globalThis as { navigator?: { gpu?: GPULike } }).navigator?.gpu;
  if (gpu) return gpu;
  throw new WebGPUNotAvailableError(
    'navigator.gpu is undefined: this browser has no WebGPU, it is disabled, or the page is not a secure context (https or localhost).',
    {
      fix: isNodeRuntime()
        ? 'In Node, pass { gpu } from createNodeWebGPU() in @tunekit/backend-web/node.'
        : 'Chrome and Edge 113+ have it (on Linux behind chrome://flags/#enable-unsafe-webgpu), as do Safari 26+ and Firefox 141+ on Windows.',
    },
  );
}

async function requestAdapter(gpu: GPULike, requirements: WebGPURequirements): Promise<GPUAdapterLike> {
  let adapter: GPUAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: requirements.powerPreference ?? 'high-performance', ...requirements.adapterOptions });
  } catch (error) {
    throw new WebGPUNotAvailableError(`requestAdapter() failed: ${(error as Error).message}`, { cause: error, fix: 'Check chrome://gpu (or the browser console) for why; another powerPreference or adapterOptions may get one.' });
  }
  if (adapter) return adapter;
  throw new WebGPUNotAvailableError(
    'requestAdapter() returned no adapter: the GPU is blocklisted or its driver is missing',
    {
      fix: isNodeRuntime()
        ? "(in Node: see createNodeWebGPU's drivers; an OpenGL adapter also needs adapterOptions { featureLevel: 'compatibility' })."
        : '(in Chrome, chrome://gpu says why; chrome://flags/#enable-unsafe-webgpu and #ignore-gpu-blocklist override it).',
    },
  );
}

function checkFeatures(adapter: GPUAdapterLike, required: readonly string[]): void {
  for (const feature of required) {
    if (adapter.features.has(feature)) continue;
    throw feature === 'shader-f16' ? new ShaderF16UnsupportedError() : new FeatureUnsupportedError(feature);
  }
}

function limitsToRequest(adapter: GPUAdapterLike): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const name of LIMITS_TO_RAISE) {
    const value = adapter.limits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return limits;
}

/**
 * Finds WebGPU, requests an adapter and a device, and checks the caller's
 * requirements, in the manner of web-llm's `detectGPUDevice`. Throws
 * {@link WebGPUNotAvailableError}, {@link BufferLimitError},
 * {@link ShaderF16UnsupportedError} or {@link FeatureUnsupportedError}.
 */
export async function detectWebGPU(requirements: WebGPURequirements = {}): Promise<DetectedWebGPU> {
  const gpu = findGpu(requirements.gpu);
  const adapter = await requestAdapter(gpu, requirements);

  const required = new Set(requirements.requiredFeatures ?? []);
  if (requirements.requireFloat16) required.add('shader-f16');
  checkFeatures(adapter, [...required]);
  // Half precision costs nothing to enable when present, and lets core see it.
  if (adapter.features.has('shader-f16')) required.add('shader-f16');

  const available = adapter.limits.maxStorageBufferBindingSize;
  if (requirements.minBindingBytes !== undefined && available < requirements.minBindingBytes) {
    throw new BufferLimitError(requirements.minBindingBytes, available);
  }

  let device: GPUDeviceLike;
  try {
    device = await adapter.requestDevice({ label: 'tunekit', requiredFeatures: [...required], requiredLimits: limitsToRequest(adapter) });
  } catch (error) {
    throw new WebGPUNotAvailableError(`requestDevice() failed: ${(error as Error).message}`, { cause: error, fix: 'Lower the limits or features asked for (requiredFeatures, minBindingBytes), or use another adapter.' });
  }
  return {
    adapter,
    device,
    info: adapter.info ?? {},
    maxBindingBytes: device.limits.maxStorageBufferBindingSize,
    maxBufferBytes: device.limits.maxBufferSize,
    supportsFloat16: device.features.has('shader-f16'),
  };
}

/** A short human name for an adapter, from whatever its info reveals. */
export function describeAdapter(info: GPUAdapterInfoLike): string {
  const parts = [info.vendor, info.architecture, info.device].filter((part) => part && part.length > 0);
  if (info.description) return info.description;
  return parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
}
