/**
 * @packageDocumentation
 * `@tunekit/cpu-kernels`: native, multi-threaded SIMD kernels that replace
 * the hot kernels of tfjs's pure-JS `cpu` backend in Node (packed GEMM for
 * every matMul form, scatter-add for the embedding gradient, ...).
 *
 * Besides overrides of tfjs's own kernels it registers all the optional
 * fused kernels of `@tunekit/backend-spec` (`TunekitGelu`, `TunekitAdamW`,
 * ...), under the names, inputs and attributes defined there.
 *
 * Nothing happens on import: call {@link registerNativeCPUKernels}. When the
 * addon is missing (no compiler at install time), fails to load, fails its
 * self-test, or `TUNEKIT_DISABLE_NATIVE=1` is set, the functions report
 * `available: false` with a reason and leave the stock kernels in place.
 */
import { ALL_KERNELS } from './kernels/all-kernels';
import type { NativeAddon, NativeISA } from './native/addon-types';
import { type BinarySource, loadAddon } from './native/load-addon';
import { selfTest } from './native/self-test';
import { setArrayReuse } from './kernels/reusable-arrays';
import { installKernels, installedKernels, uninstallKernels } from './registry';

/** State of the native kernels. */
export interface NativeKernelsInfo {
  /** Addon loaded and self-test passed. */
  available: boolean;
  /** Why not, when unavailable (one line, actionable). */
  reason?: string;
  /** SIMD level in use (`'none'` when unavailable). */
  isa: NativeISA | 'none';
  /** Threads the native kernels run on (0 when unavailable). */
  threads: number;
  /**
   * Which binary is in use, when available: the one shipped in the package
   * for this platform (`'prebuilt'`), or one compiled at install time (`'compiled'`).
   */
  binary?: BinarySource;
  /** tfjs kernel names we override (registered ones after {@link registerNativeCPUKernels}, else the ones we would). */
  kernels: string[];
}

/** Options of {@link registerNativeCPUKernels}. */
export interface RegisterOptions {
  /** Threads for the native kernels (default: the cores available to this process). */
  threads?: number;
  /**
   * Whether native kernels take their outputs from disposed tensors' arrays
   * and AdamW updates in place where nothing else can see the memory
   * (default true; `TUNEKIT_REUSE_ARRAYS=0` turns it off for the process).
   * The results are the same bits either way; off, every output is a new
   * array (slower: allocation, zero-fill and garbage collection).
   */
  reuseArrays?: boolean;
}

/** Whether the environment variable `name` is set to `0` or `false` (any case). */
function turnedOffByEnv(name: string): boolean {
  const flag = process.env[name];
  return flag === '0' || flag?.toLowerCase() === 'false';
}

function arrayReuseWanted(option: boolean | undefined): boolean {
  return !turnedOffByEnv('TUNEKIT_REUSE_ARRAYS') && (option ?? true);
}

/**
 * Large tensors are allocated and freed constantly in training; glibc gives
 * each one a fresh mmap that costs a page fault per 4 KiB (~25 ms per
 * 50 MB here). Registering raises glibc's mmap threshold so freed blocks are
 * reused (process-wide; `TUNEKIT_NATIVE_MALLOC=0` opts out).
 */
function allocatorTuningWanted(): boolean {
  return !turnedOffByEnv('TUNEKIT_NATIVE_MALLOC');
}

let checked: { addon?: NativeAddon; source?: BinarySource; reason?: string } | undefined;

/** The addon once loaded and self-tested, or why not. */
function readyAddon(): { addon?: NativeAddon; source?: BinarySource; reason?: string } {
  if (!checked) {
    const { addon, source, reason } = loadAddon();
    if (!addon) {
      checked = { reason };
    } else {
      let failure: string | undefined;
      try {
        failure = selfTest(addon);
      } catch (error) {
        failure = `native self-test threw: ${(error as Error).message}`;
      }
      checked = failure ? { reason: `${failure}; please report it (set TUNEKIT_DISABLE_NATIVE=1 meanwhile)` } : { addon, source };
    }
  }
  return checked;
}

function describe(addon: NativeAddon | undefined, reason: string | undefined, binary?: BinarySource): NativeKernelsInfo {
  if (!addon) return { available: false, reason, isa: 'none', threads: 0, kernels: [] };
  const { isa, threads } = addon.info();
  const registered = installedKernels();
  return { available: true, isa, threads, binary, kernels: registered.length ? registered : ALL_KERNELS.map((k) => k.kernelName) };
}

/** Loads the addon (once) and reports what it offers; registers nothing. */
export function nativeKernelsInfo(): NativeKernelsInfo {
  const { addon, source, reason } = readyAddon();
  return describe(addon, reason, source);
}

/**
 * Overrides tfjs `cpu` kernels with the native ones (idempotent; a second
 * call only applies a new thread count). Import `@tensorflow/tfjs-backend-cpu`
 * is done here, so the stock kernels exist to be replaced.
 * @returns the resulting state; `available: false` means nothing changed.
 */
export function registerNativeCPUKernels(options: RegisterOptions = {}): NativeKernelsInfo {
  const { addon, source, reason } = readyAddon();
  if (!addon) {
    warnSlowerEngineOnce(reason);
    return describe(undefined, reason);
  }
  const hardware = addon.info().hardwareThreads;
  const threads = options.threads !== undefined && Number.isFinite(options.threads) ? Math.max(1, Math.floor(options.threads)) : hardware;
  addon.setThreads(threads);
  if (allocatorTuningWanted()) addon.tuneAllocator();
  setArrayReuse(arrayReuseWanted(options.reuseArrays));
  installKernels(addon);
  return describe(addon, undefined, source);
}

let warned = false;

/**
 * One line on stderr, once per process, when a backend asks for the native
 * kernels and gets none: npm hides install-script output, so a failed build
 * would otherwise only show as slow training. Not printed when they were
 * turned off on purpose (TUNEKIT_DISABLE_NATIVE).
 */
function warnSlowerEngineOnce(reason: string | undefined): void {
  if (warned || (reason ?? '').includes('TUNEKIT_DISABLE_NATIVE')) return;
  warned = true;
  console.warn(`[@tunekit/cpu-kernels] native kernels unavailable, training runs on a slower engine: ${reason ?? 'unknown reason'}`);
}

/** Restores the stock tfjs cpu kernels (for tests and benchmarks). */
export function unregisterNativeCPUKernels(): void {
  uninstallKernels();
}

export type { NativeISA } from './native/addon-types';
export type { BinarySource } from './native/load-addon';
