/**
 * The web backend: WebGPU when it is there and meets the caller's needs,
 * otherwise wasm, otherwise plain JavaScript, in the order the caller gives.
 * Which one runs, and why the others did not, ends up in
 * `doCapabilities().description` (and one log line).
 */
import { InvalidArgumentError, InvalidStateError } from '@tunekit/core';
import * as tf from '@tensorflow/tfjs-core';
import { engineStartup, isNodeRuntime, lazyFileIO } from '@tunekit/backend-spec';
import type { BackendCapabilities, BackendV1, FileIO } from '@tunekit/core';
import { createBrowserFileIO } from './storage/browser-file-io';
import { startCpuFallback } from './cpu-fallback';
import { describeAdapter, detectWebGPU, type DetectedWebGPU, type WebGPURequirements } from './webgpu/detect-webgpu';
import { DeviceLostError, WebBackendUnavailableError, WebGPUDeviceError, formatBytes, type BackendAttempt } from './errors';
import { attachWebGPUEngine, type AttachedEngine } from './webgpu/webgpu-engine';
import type { GPUDeviceLike } from './webgpu/webgpu-types';

/** A tfjs engine the web backend can run on. */
export type WebBackendKind = 'webgpu' | 'wasm' | 'cpu';

/** The default fallback order. */
export const DEFAULT_WEB_PREFERENCE: readonly WebBackendKind[] = ['webgpu', 'wasm', 'cpu'];

/** Options of {@link createWebBackend}; every field is optional. */
export interface WebBackendOptions extends WebGPURequirements {
  /**
   * Engines to try, in order (default `['webgpu', 'wasm', 'cpu']`). With a
   * single entry nothing falls back and its typed error is thrown as is.
   */
  prefer?: readonly WebBackendKind[];
  /** Where the wasm binaries are served from (tfjs-backend-wasm's `setWasmPaths`); needed by most bundled pages. */
  wasmPaths?: string;
  /** File I/O to expose; default OPFS/IndexedDB in browsers, `nodeFileIO()` of `@tunekit/backend-cpu/node` in Node. */
  files?: FileIO;
  /** Receives one line naming the engine chosen and why; default `console.info`, `false` for silence. */
  log?: ((line: string) => void) | false;
  /** Called when the GPU device is lost after initialisation (not when {@link WebBackend.dispose} destroys it). */
  onDeviceLost?: (error: DeviceLostError) => void;
  /**
   * Called for each GPU error no error scope caught (validation, out of
   * memory, internal). tfjs never sees these and returns wrong values (zeros)
   * instead, so tests and careful applications should count them.
   */
  onGPUError?: (error: WebGPUDeviceError) => void;
}

/** The web backend: a `BackendV1` (from `@tunekit/core`) plus access to its GPU device. */
export interface WebBackend extends BackendV1 {
  /** The WebGPU device tfjs runs on, when WebGPU was chosen and is alive. */
  gpuDevice(): GPUDeviceLike | undefined;
  /** Unregisters tfjs's webgpu backend if this instance set it up and destroys the device. */
  dispose(): Promise<void>;
  /** The specification's name for {@link WebBackend.dispose}. */
  doDispose(): Promise<void>;
}

interface WebGPUState {
  detected: DetectedWebGPU;
  engine: AttachedEngine;
}

function webgpuCapabilities(detected: DetectedWebGPU): BackendCapabilities {
  const features = `binding ${formatBytes(detected.maxBindingBytes)}, buffer ${formatBytes(detected.maxBufferBytes)}, shader-f16 ${detected.supportsFloat16 ? 'yes' : 'no'}`;
  return {
    tfjsBackend: 'webgpu',
    device: 'gpu',
    maxBindingBytes: detected.maxBindingBytes,
    maxBufferBytes: detected.maxBufferBytes,
    supportsFloat16: detected.supportsFloat16,
    description: `webgpu on ${describeAdapter(detected.info)} (${features})`,
  };
}

/** The error's class says its kind: `GPUValidationError` → `'validation'`, and so on. */
function errorKind(error: object): WebGPUDeviceError['kind'] {
  const name = error.constructor?.name ?? '';
  if (name.includes('Validation')) return 'validation';
  if (name.includes('OutOfMemory')) return 'out-of-memory';
  if (name.includes('Internal')) return 'internal';
  return 'unknown';
}

/**
 * OPFS/IndexedDB in browsers; in Node (Dawn), Node's file system from
 * `@tunekit/backend-cpu/node`, imported on first use so that browser bundles
 * keep it in a chunk they never load.
 */
function defaultFiles(): FileIO {
  if (!isNodeRuntime()) return createBrowserFileIO();
  return lazyFileIO(async () => (await import('@tunekit/backend-cpu/node')).nodeFileIO());
}

/**
 * Creates a web backend. Nothing touches the GPU until `doInit()`. tfjs has a
 * single `webgpu` engine slot, so the instance initialised last owns it.
 *
 * @example
 * ```ts
 * import { createWebBackend } from '@tunekit/backend-web';
 * const backend = createWebBackend({ prefer: ['webgpu', 'wasm'], wasmPaths: '/wasm/' });
 * const model = await loadModel({ source: 'gpt2', backend }); // from '@tunekit/core'
 * ```
 */
export function createWebBackend(options: WebBackendOptions = {}): WebBackend {
  const prefer = options.prefer ?? DEFAULT_WEB_PREFERENCE;
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.info(line)));
  let files: FileIO | undefined = options.files;
  let capabilities: BackendCapabilities | undefined;
  let webgpu: WebGPUState | undefined;
  let lost: DeviceLostError | undefined;

  const watchDevice = (state: WebGPUState) => {
    if (options.onGPUError) {
      const report = options.onGPUError;
      state.detected.device.addEventListener?.('uncapturederror', (event) => {
        if (webgpu === state) report(new WebGPUDeviceError(errorKind(event.error), event.error.message.split('\n')[0] ?? ''));
      });
    }
    void state.detected.device.lost.then((info) => {
      // Our own dispose() or a re-init replaced the state first: not a loss.
      if (webgpu !== state) return;
      lost = new DeviceLostError(info.reason, info.message);
      webgpu = undefined;
      // Kernels on a lost device return zeros without complaint; unregister
      // it so nothing keeps computing there. The next doInit() starts afresh.
      state.engine.detach();
      capabilities = undefined;
      void startup.reset();
      log?.(`tunekit: ${lost.message}`);
      options.onDeviceLost?.(lost);
    });
  };

  const startWebGPU = async (): Promise<BackendCapabilities> => {
    const detected = await detectWebGPU(options);
    let engine: AttachedEngine;
    try {
      engine = await attachWebGPUEngine(detected.device, detected.info, options.gpu);
    } catch (error) {
      detected.device.destroy();
      throw error;
    }
    webgpu = { detected, engine };
    watchDevice(webgpu);
    return webgpuCapabilities(detected);
  };

  const start = async (): Promise<string> => {
    releaseWebGPU();
    lost = undefined;
    const attempts: BackendAttempt[] = [];
    for (const kind of prefer) {
      try {
        const found = kind === 'webgpu' ? await startWebGPU() : kind === 'wasm' || kind === 'cpu' ? await startCpuFallback(kind, options.wasmPaths) : undefined;
        if (!found) throw new InvalidArgumentError(`unknown backend "${String(kind)}" (webgpu, wasm, cpu)`, { fix: "Use only 'webgpu', 'wasm' and 'cpu' in prefer." });
        const why = attempts.map((a) => `${a.backend} unavailable: ${a.error.message}`).join('; ');
        capabilities = why ? { ...found, description: `${why} → using ${found.description}` } : found;
        log?.(`tunekit: ${capabilities.description}`);
        return capabilities.tfjsBackend;
      } catch (error) {
        attempts.push({ backend: String(kind), error: error instanceof Error ? error : new Error(String(error)) }); // plain Error: wraps a thrown non-Error value to record it as an attempt; never thrown itself
      }
    }
    // One engine asked for: its own typed error is the most useful answer.
    if (attempts.length === 1) throw attempts[0]!.error;
    throw new WebBackendUnavailableError(attempts);
  };

  function releaseWebGPU(): void {
    const state = webgpu;
    webgpu = undefined;
    if (!state) return;
    state.engine.detach();
    state.detected.device.destroy();
  }

  const startup = engineStartup({ start, tf });

  const backend: WebBackend = {
    specificationVersion: 'v1',
    name: 'web',
    get files() {
      files ??= defaultFiles();
      return files;
    },
    doInit() {
      return startup.init();
    },
    doCapabilities() {
      if (lost) throw lost;
      if (!capabilities) throw new InvalidStateError('web backend:', { fix: 'call doInit() first' });
      return capabilities;
    },
    gpuDevice() {
      return webgpu?.detected.device;
    },
    async dispose() {
      await startup.reset();
      releaseWebGPU();
      capabilities = undefined;
      lost = undefined;
    },
    doDispose() {
      return backend.dispose();
    },
  };
  return backend;
}

/** The shared default instance: `createWebBackend()` with default options (lazy). */
export const webBackend: WebBackend = createWebBackend();
