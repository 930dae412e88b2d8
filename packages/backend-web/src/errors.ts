import { TunekitError, type TunekitErrorOptions } from '@tunekit/core';

/**
 * Typed errors of the web backend. Each one says what is missing and what the
 * caller can do about it, so an application can catch the class and react
 * (fall back, ask for a smaller model, show a message) instead of parsing text.
 */

/**
 * Base class of every error thrown by `@tunekit/backend-web`, a
 * {@link TunekitError} whose code is the class name in snake case without
 * `Error` (`WebGPUNotAvailableError` → `webgpu_not_available`).
 */
export class WebBackendError extends TunekitError {
  constructor(message: string, options: TunekitErrorOptions = {}) {
    super(snakeCode(new.target.name), message, options);
  }
}

/** `WebGPUNotAvailableError` → `webgpu_not_available`. */
function snakeCode(className: string): string {
  return className.replace(/Error$/, '').replace(/WebGPU/g, 'Webgpu').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** WebGPU cannot be used here: no `navigator.gpu`, no adapter, or the device request failed. */
export class WebGPUNotAvailableError extends WebBackendError {}

/**
 * The adapter's largest storage-buffer binding (`maxStorageBufferBindingSize`)
 * is smaller than the caller asked for with `minBindingBytes`.
 */
export class BufferLimitError extends WebBackendError {
  /** Bytes the caller asked for. */
  readonly requiredBytes: number;
  /** Bytes the adapter offers. */
  readonly availableBytes: number;

  constructor(requiredBytes: number, availableBytes: number) {
    super(
      `The WebGPU adapter binds at most ${formatBytes(availableBytes)} per storage buffer ` +
        `(maxStorageBufferBindingSize), below the ${formatBytes(requiredBytes)} asked for with minBindingBytes.`,
      { fix: 'Lower minBindingBytes and let core split large tensors, or use another adapter.' },
    );
    this.requiredBytes = requiredBytes;
    this.availableBytes = availableBytes;
  }
}

/** The adapter lacks a WebGPU feature listed in `requiredFeatures`. */
export class FeatureUnsupportedError extends WebBackendError {
  /** The missing feature, e.g. `'shader-f16'`. */
  readonly feature: string;

  constructor(feature: string, message?: string, fix?: string) {
    super(message ?? `The WebGPU adapter does not support the "${feature}" feature, which requiredFeatures lists.`, {
      fix: fix ?? `Remove "${feature}" from requiredFeatures, or use a browser/GPU whose adapter has it.`,
    });
    this.feature = feature;
  }
}

/** Half precision was required (`requireFloat16` or `'shader-f16'` in `requiredFeatures`) but the adapter lacks `shader-f16`. */
export class ShaderF16UnsupportedError extends FeatureUnsupportedError {
  constructor() {
    super(
      'shader-f16',
      'The WebGPU adapter does not support "shader-f16" (half-precision shaders).',
      'Run in float32 (drop requireFloat16), or use a browser/GPU that exposes shader-f16.',
    );
  }
}

/**
 * The GPU device was lost (driver reset, GPU process crash, another tab's
 * out-of-memory, or `destroy()` by someone else). Tensors on it are gone;
 * calling the backend's `doInit()` again requests a new device.
 */
export class DeviceLostError extends WebBackendError {
  /** `'destroyed'` or `'unknown'`, from `GPUDeviceLostInfo.reason`. */
  readonly reason: string;

  constructor(reason: string, detail: string) {
    super(`The WebGPU device was lost (${reason}${detail ? `: ${detail}` : ''}).`, { fix: 'Call doInit() again to get a new device; tensors on the old one are gone.' });
    this.reason = reason;
  }
}

/**
 * An error the GPU reported outside any error scope, e.g. a storage binding
 * larger than `maxStorageBufferBindingSize`. tfjs does not see these: the
 * kernel's result is silently wrong (zeros), so they are worth surfacing.
 */
export class WebGPUDeviceError extends WebBackendError {
  /** `'validation'`, `'out-of-memory'`, `'internal'`, or `'unknown'`. */
  readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'unknown';

  constructor(kind: WebGPUDeviceError['kind'], detail: string) {
    super(`WebGPU ${kind} error: ${detail}`, {
      fix: kind === 'out-of-memory'
        ? 'Use less GPU memory: a smaller batchSize or sequence length, gradientCheckpointing, or close other GPU tabs.'
        : 'This is a tunekit or driver bug: please report it with the error text, the browser and the GPU.',
    });
    this.kind = kind;
  }
}

/** One backend tried by `doInit()` and why it could not be used. */
export interface BackendAttempt {
  /** The flavour that was tried. */
  readonly backend: string;
  /** Why it failed. */
  readonly error: Error;
}

/** No backend in the `prefer` list could start; `attempts` has each reason. */
export class WebBackendUnavailableError extends WebBackendError {
  /** Each flavour tried, in order, with its error. */
  readonly attempts: readonly BackendAttempt[];

  constructor(attempts: readonly BackendAttempt[]) {
    super(`No backend could start: ${attempts.map((a) => `${a.backend}: ${a.error.message}`).join('; ')}`, {
      fix: "Fix one of the causes above, or add a backend this environment has to prefer (e.g. 'wasm', with wasmPaths where its .wasm files are served).",
    });
    this.attempts = attempts;
  }
}

/** A missing path: the one error every `FileIO` (browser, Node) throws for it, from `@tunekit/formats` through core. */
export { FileNotFoundError } from '@tunekit/core';

/** `1073741824` → `"1024 MiB"`; readable sizes for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${Math.round((bytes / (1 << 20)) * 10) / 10} MiB`;
  if (bytes >= 1 << 10) return `${Math.round((bytes / (1 << 10)) * 10) / 10} KiB`;
  return `${bytes} B`;
}
