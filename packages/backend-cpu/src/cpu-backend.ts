/**
 * The CPU backend, core's default: needs nothing but Node (or a browser).
 * It tries, in order, and says which one runs and why:
 *  1. `native` — tfjs's CPU backend with our multi-threaded SIMD kernels from
 *     `@tunekit/cpu-kernels` (Node only; built at install when a C++ compiler exists);
 *  2. `wasm`   — tfjs-backend-wasm (SIMD, single-threaded in Node), with our
 *     segment-sum kernel and transpose-free matMul;
 *  3. `cpu`    — tfjs's pure-JS backend with our segment-sum kernel.
 */
import { InvalidArgumentError, InvalidStateError, TunekitError, UnsupportedError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type BackendCapabilities, type BackendV1, engineStartup, type FileIO, isNodeRuntime } from '@tunekit/backend-spec';
import { nodeFileIO } from './node/node-file-io';
import { registerSegmentSumKernel } from './segment-sum-kernel';
import { registerWasmMatMulKernel } from './wasm-matmul-kernel';
import { registerWasmIdentityKernel } from './wasm-identity-kernel';
import { registerGatherRowsKernel } from './gather-rows-kernel';

/** One way of running on the CPU. */
export type CPUFlavor = 'native' | 'wasm' | 'cpu';

/** Options of {@link createCPUBackend}. */
export interface CPUBackendOptions {
  /** Flavours to try, in order. Default: `native, wasm, cpu` in Node; `wasm, cpu` elsewhere. Env `TUNEKIT_CPU` (e.g. `wasm`) overrides in Node. */
  prefer?: CPUFlavor[];
  /** Threads for the native kernels (default: all cores). */
  threads?: number;
  /** Where the wasm binaries are served from (browsers; see tfjs-backend-wasm's `setWasmPaths`). */
  wasmPaths?: string;
  /** File access to expose (default: Node's file system in Node, none elsewhere — pass a browser `FileIO` there). */
  files?: FileIO;
}

interface NativeKernelsModule {
  registerNativeCPUKernels(options?: { threads?: number }): { available: boolean; reason?: string; isa: string; threads: number; kernels: string[] };
  unregisterNativeCPUKernels(): void;
}

/** The native kernels module, once a `native` start registered its kernels (so `doDispose` can restore tfjs's). */
let nativeModule: NativeKernelsModule | undefined;

const FLAVORS: readonly CPUFlavor[] = ['native', 'wasm', 'cpu'];

function defaultPreference(): CPUFlavor[] {
  if (!isNodeRuntime()) return ['wasm', 'cpu'];
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TUNEKIT_CPU;
  if (fromEnv) return checkedPreference(fromEnv.split(',').map((s) => s.trim()), 'TUNEKIT_CPU');
  return ['native', 'wasm', 'cpu'];
}

/**
 * `prefer` (or TUNEKIT_CPU) as given, or a clear error before anything
 * starts: a string such as 'native' would otherwise be read letter by letter
 * ("n unavailable: unknown CPU flavour"), and a misspelt flavour would only
 * show up among the reasons every flavour failed.
 */
function checkedPreference(prefer: unknown, source: string): CPUFlavor[] {
  if (!Array.isArray(prefer) || prefer.length === 0) {
    throw new InvalidArgumentError(`createCPUBackend: ${source} must be a non-empty list of CPU flavours, got ${JSON.stringify(prefer)}`, { fix: "Pass a list such as prefer: ['native', 'wasm', 'cpu'] (or ['native'] for one flavour)." });
  }
  const unknown = prefer.filter((flavor) => !FLAVORS.includes(flavor as CPUFlavor));
  if (unknown.length) {
    throw new InvalidArgumentError(`createCPUBackend: ${source} names unknown CPU flavour(s) ${unknown.map((f) => JSON.stringify(f)).join(', ')} (known: native, wasm, cpu)`, { fix: "Use only 'native', 'wasm' and 'cpu'." });
  }
  return prefer as CPUFlavor[];
}

/** Silences tfjs's "install tfjs-node" banner, which is wrong advice once our kernels are in. */
function quietCpuBanner(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend) backend.firstUse = false;
}

async function tryNative(options: CPUBackendOptions): Promise<Omit<BackendCapabilities, 'supportsFloat16'>> {
  if (!isNodeRuntime()) throw new UnsupportedError('native kernels need Node', { fix: "Outside Node, use prefer: ['wasm', 'cpu']." });
  const specifier = '@tunekit/cpu-kernels';
  let module: NativeKernelsModule;
  try {
    module = (await import(/* @vite-ignore */ specifier)) as NativeKernelsModule;
  } catch (error) {
    throw new UnsupportedError(`@tunekit/cpu-kernels is not installed (${(error as Error).message.split('\n')[0]})`, { fix: 'Install @tunekit/cpu-kernels next to @tunekit/backend-cpu, or leave native out of prefer.' });
  }
  // The JavaScript scatter-add goes in before the native kernels, which then
  // keep it as their UnsortedSegmentSum's fallback; registered after them it
  // replaced the native one (every embedding gradient ran in JavaScript).
  // Not again while an earlier native start is live: its kernels are in.
  if (!nativeModule) registerSegmentSumKernel('cpu');
  const info = module.registerNativeCPUKernels({ threads: options.threads });
  if (!info.available) throw new UnsupportedError(info.reason ?? 'native kernels unavailable', { fix: 'Use a platform the prebuilt kernels cover (linux-x64, linux-arm64) or build them (pnpm --filter @tunekit/cpu-kernels build:native); else leave native out of prefer.' });
  nativeModule = module;
  registerGatherRowsKernel();
  if (!(await tf.setBackend('cpu'))) throw new UnsupportedError('tfjs cpu backend failed to initialise', { fix: 'Reinstall dependencies (@tensorflow/tfjs-backend-cpu must match @tensorflow/tfjs-core); if it persists, this is a tunekit bug: please report it with the Node version.' });
  quietCpuBanner();
  return { tfjsBackend: 'cpu', device: 'cpu', threads: info.threads, description: `cpu + native kernels (${info.isa}, ${info.threads} threads)` };
}

async function tryWasm(options: CPUBackendOptions): Promise<Omit<BackendCapabilities, 'supportsFloat16'>> {
  // A literal specifier, so that browser bundlers include the wasm backend
  // (it is a dependency of core); it is loaded only when this flavour is tried.
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setWasmPaths?: (path: string) => void };
  if (options.wasmPaths) wasm.setWasmPaths?.(options.wasmPaths);
  if (!(await tf.setBackend('wasm'))) throw new UnsupportedError('tfjs wasm backend failed to initialise', { fix: 'Check that wasmPaths points at the folder serving the tfjs-backend-wasm .wasm files, or leave wasm out of prefer.' });
  registerSegmentSumKernel('wasm');
  registerWasmMatMulKernel();
  registerWasmIdentityKernel();
  return { tfjsBackend: 'wasm', device: 'cpu', threads: 1, description: 'wasm (SIMD, 1 thread)' };
}

async function tryCpu(): Promise<Omit<BackendCapabilities, 'supportsFloat16'>> {
  registerSegmentSumKernel('cpu');
  registerGatherRowsKernel();
  if (!(await tf.setBackend('cpu'))) throw new UnsupportedError('tfjs cpu backend failed to initialise', { fix: 'Reinstall dependencies (@tensorflow/tfjs-backend-cpu must match @tensorflow/tfjs-core); if it persists, this is a tunekit bug: please report it with the Node version.' });
  quietCpuBanner();
  return { tfjsBackend: 'cpu', device: 'cpu', threads: 1, description: 'cpu (pure JavaScript, slow: use for small models)' };
}

/**
 * Creates the CPU backend. In Node its `files` are Node's file system
 * (`nodeFileIO()`), so loading from a folder, saving and checkpoints work with
 * no configuration; elsewhere it has none unless `options.files` is given.
 */
export function createCPUBackend(options: CPUBackendOptions = {}): BackendV1 {
  let capabilities: BackendCapabilities | undefined;
  const given = options.prefer === undefined ? undefined : checkedPreference(options.prefer, 'prefer');

  const start = async (): Promise<string> => {
    const prefer = given ?? defaultPreference();
    const skipped: string[] = [];
    for (const flavor of prefer) {
      try {
        const found = flavor === 'native' ? await tryNative(options) : flavor === 'wasm' ? await tryWasm(options) : await tryCpu();
        const why = skipped.length ? ` — ${skipped.join('; ')}` : '';
        capabilities = { ...found, supportsFloat16: false, description: `${found.description}${why}` };
        return capabilities.tfjsBackend;
      } catch (error) {
        skipped.push(`${flavor} unavailable: ${(error as Error).message}`);
      }
    }
    throw new TunekitError('backend_unavailable', `No CPU backend could start: ${skipped.join('; ')}`, { fix: "Fix one of the causes above, or add 'cpu' (pure JavaScript, needs nothing) to prefer." });
  };
  const startup = engineStartup({ start, tf });

  return {
    specificationVersion: 'v1',
    name: 'embedded-cpu',
    files: options.files ?? (isNodeRuntime() ? nodeFileIO() : undefined),
    doInit() {
      return startup.init();
    },
    doCapabilities() {
      if (!capabilities) throw new InvalidStateError('embedded-cpu backend:', { fix: 'call doInit() first' });
      return capabilities;
    },
    async doDispose() {
      await startup.reset();
      // The native kernels replace tfjs's own cpu kernels process-wide: restore them.
      if (capabilities?.tfjsBackend === 'cpu' && nativeModule) {
        nativeModule.unregisterNativeCPUKernels();
        nativeModule = undefined;
      }
      capabilities = undefined;
    },
  };
}

/** The shared default instance. */
export const cpuBackend: BackendV1 = createCPUBackend();
