/**
 * The slice of the WebGPU API this package touches, typed structurally.
 *
 * Why not `@webgpu/types`: those are ambient globals, and our public
 * declarations would then compile only for users who add them to their
 * `tsconfig`. A browser's `navigator.gpu` and Dawn's `create()` both satisfy
 * these shapes, and so do the small fakes the tests use.
 */

/** Limits read from an adapter or device (a subset of `GPUSupportedLimits`). */
export interface GPULimitsLike {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize?: number;
  readonly maxComputeInvocationsPerWorkgroup?: number;
  readonly maxComputeWorkgroupSizeX?: number;
  readonly maxComputeWorkgroupsPerDimension?: number;
  readonly maxStorageBuffersPerShaderStage?: number;
}

/** Adapter identification (`GPUAdapterInfo`); every field may be empty. */
export interface GPUAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

/** Why a device was lost (`GPUDeviceLostInfo`). */
export interface GPUDeviceLostInfoLike {
  readonly reason: string;
  readonly message: string;
}

/** The event a device fires for an error no error scope caught (`GPUUncapturedErrorEvent`). */
export interface GPUUncapturedErrorEventLike {
  /** A `GPUValidationError`, `GPUOutOfMemoryError` or `GPUInternalError`. */
  readonly error: { readonly message: string };
}

/** A WebGPU device (`GPUDevice`), as far as this package uses it. */
export interface GPUDeviceLike {
  readonly limits: GPULimitsLike;
  readonly features: { has(feature: string): boolean };
  readonly lost: Promise<GPUDeviceLostInfoLike>;
  destroy(): void;
  /** Browsers and Dawn have it; fakes may not. */
  addEventListener?(type: 'uncapturederror', listener: (event: GPUUncapturedErrorEventLike) => void): void;
}

/** What `requestDevice` accepts (`GPUDeviceDescriptor`). */
export interface GPUDeviceRequest {
  requiredFeatures?: string[];
  requiredLimits?: Record<string, number>;
  label?: string;
}

/** A WebGPU adapter (`GPUAdapter`). */
export interface GPUAdapterLike {
  readonly limits: GPULimitsLike;
  readonly features: { has(feature: string): boolean };
  /** Present in current browsers and Dawn; older Chrome had `requestAdapterInfo()`. */
  readonly info?: GPUAdapterInfoLike;
  requestDevice(descriptor?: GPUDeviceRequest): Promise<GPUDeviceLike>;
}

/** Options of `requestAdapter` (`GPURequestAdapterOptions`). */
export interface GPUAdapterRequest {
  powerPreference?: 'low-power' | 'high-performance';
  /** `'compatibility'` admits OpenGL ES-class adapters (Dawn's OpenGL backend needs it). */
  featureLevel?: 'core' | 'compatibility';
  forceFallbackAdapter?: boolean;
}

/** The WebGPU entry point: `navigator.gpu` in browsers, `create()` from the `webgpu` package in Node. */
export interface GPULike {
  requestAdapter(options?: GPUAdapterRequest): Promise<GPUAdapterLike | null>;
}
