/**
 * WebGPU in Node through Dawn (the `webgpu` npm package), for tests, CI and
 * servers without a browser. Two software drivers work on a bare Linux box:
 *  - `swiftshader`: Vulkan on the CPU, the ICD Debian's `chromium` package
 *    ships; 1 GiB bindings, slow (~0.4 GFLOP/s on 2 cores).
 *  - `opengl`: Dawn's OpenGL ES backend on Mesa's llvmpipe, headless through
 *    EGL's surfaceless platform; faster (~5 GFLOP/s) but 128 MiB bindings,
 *    which is the limit that makes core split GPT-2's LM head.
 * `system` lets Dawn pick the machine's GPU (Vulkan, Metal or D3D12).
 */
import { existsSync } from 'node:fs';
import { WebBackendError } from '../errors';
import type { GPUAdapterRequest, GPULike } from '../webgpu/webgpu-types';
import { aptInstallCommand, DAWN_DRIVER_PACKAGES } from './system-packages';
import { ensureVulkanLoader } from './vulkan-loader';

/** Which Dawn backend to run on. */
export type NodeWebGPUDriver = 'system' | 'swiftshader' | 'opengl';

/** Options of {@link createNodeWebGPU}. */
export interface NodeWebGPUOptions {
  /** Default `'system'`. */
  driver?: NodeWebGPUDriver;
  /** SwiftShader's Vulkan ICD file (default `$VK_ICD_FILENAMES`, else Debian chromium's). */
  swiftShaderIcd?: string;
  /** Extra Dawn options, e.g. `'enable-dawn-features=allow_unsafe_apis'`. */
  dawnOptions?: string[];
  /** Set `navigator.gpu` and the `GPUBufferUsage`-style constants tfjs needs (default true). */
  installGlobals?: boolean;
}

/** A Dawn WebGPU entry point, ready to pass to `createWebBackend({ gpu, adapterOptions })`. */
export interface NodeWebGPU {
  /** Dawn's `GPU` object. */
  gpu: GPULike;
  /** Adapter options the driver needs (`featureLevel: 'compatibility'` for OpenGL). */
  adapterOptions: GPUAdapterRequest;
  /** The driver in use. */
  driver: NodeWebGPUDriver;
  /**
   * Drops the `navigator.gpu` this helper installed. Dawn keeps Node alive
   * while a global references it, so call this before a script should exit.
   */
  release(): void;
}

/** Dawn or its driver is missing; the message names the packages and environment variables to fix it. */
export class NodeWebGPUError extends WebBackendError {}

interface DawnModule {
  create(options: string[]): GPULike;
  globals: Record<string, unknown>;
}

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD. */
export const CHROMIUM_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const HELP: Record<NodeWebGPUDriver, string> = {
  swiftshader:
    `SwiftShader needs the Vulkan loader and its ICD: \`${aptInstallCommand(DAWN_DRIVER_PACKAGES.swiftshader)}\` ` +
    `and VK_ICD_FILENAMES=${CHROMIUM_SWIFTSHADER_ICD} (set for you when that file exists). ` +
    'Without libvulkan1 the loader chromium bundles is used by itself.',
  opengl:
    `The OpenGL driver needs Mesa EGL with llvmpipe: \`${aptInstallCommand(DAWN_DRIVER_PACKAGES.opengl)}\`; ` +
    'EGL_PLATFORM=surfaceless (set for you when unset) lets it run without a display.',
  system: 'Install the GPU vendor driver (Vulkan on Linux), or use the "swiftshader" or "opengl" driver.',
};

async function loadDawn(): Promise<DawnModule> {
  // A variable specifier: the package is an optional peer, and TypeScript
  // should not pull its ambient WebGPU typings into our declarations.
  const specifier = 'webgpu';
  try {
    return (await import(/* @vite-ignore */ specifier)) as DawnModule;
  } catch (error) {
    throw new NodeWebGPUError(`WebGPU in Node needs Dawn's binding, which did not load (${(error as Error).message.split('\n')[0]}).`, { fix: 'Install it: npm i -D webgpu@0.6', cause: error });
  }
}

/** Sets the environment a driver reads when Dawn starts it; returns Dawn's options and the adapter options. */
function prepareDriver(options: NodeWebGPUOptions, driver: NodeWebGPUDriver): { dawn: string[]; adapter: GPUAdapterRequest } {
  const env = process.env;
  if (driver === 'swiftshader') {
    const icd = options.swiftShaderIcd ?? env.VK_ICD_FILENAMES ?? CHROMIUM_SWIFTSHADER_ICD;
    if (!icd.split(':').every((file) => existsSync(file))) {
      throw new NodeWebGPUError(`SwiftShader's Vulkan ICD was not found at ${icd}.`, { fix: HELP.swiftshader });
    }
    if (ensureVulkanLoader() === 'none') {
      throw new NodeWebGPUError(
        "No Vulkan loader: libvulkan.so.1 is not installed and chromium's copy is missing.",
        { fix: `Install it: \`${aptInstallCommand(['libvulkan1'])}\`` },
      );
    }
    // The Vulkan loader reads these when Dawn creates its instance, i.e. later
    // in this process, so setting them here is enough.
    env.VK_ICD_FILENAMES = icd;
    // Mesa's device-select layer (installed with mesa-vulkan-drivers) probes
    // Wayland and prints errors on a headless box; SwiftShader needs no selection.
    env.NODEVICE_SELECT ??= '1';
    return { dawn: ['backend=vulkan'], adapter: {} };
  }
  if (driver === 'opengl') {
    env.EGL_PLATFORM ??= 'surfaceless';
    return { dawn: ['backend=opengl'], adapter: { featureLevel: 'compatibility' } };
  }
  if (driver === 'system') return { dawn: [], adapter: {} };
  throw new NodeWebGPUError(`Unknown driver "${String(driver)}" (system, swiftshader, opengl)`, { fix: "Pass driver: 'system', 'swiftshader' or 'opengl'." });
}

function installGlobals(dawn: DawnModule, gpu: GPULike): () => void {
  const scope = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in scope)) scope[name] = value;
  if (scope.navigator?.gpu) return () => {};
  if (scope.navigator === undefined) {
    scope.navigator = { gpu };
    return () => {
      if (scope.navigator?.gpu === gpu) delete scope.navigator;
    };
  }
  Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return () => {
    if (scope.navigator?.gpu === gpu) delete scope.navigator.gpu;
  };
}

/**
 * Sets up Dawn with the chosen driver, checks that it yields an adapter, and
 * (by default) installs the globals tfjs's webgpu backend expects.
 *
 * @example
 * ```ts
 * import { createWebBackend } from '@tunekit/backend-web';
 * import { createNodeWebGPU } from '@tunekit/backend-web/node';
 * const dawn = await createNodeWebGPU({ driver: 'swiftshader' });
 * const backend = createWebBackend({ gpu: dawn.gpu, adapterOptions: dawn.adapterOptions, prefer: ['webgpu'] });
 * ```
 */
export async function createNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<NodeWebGPU> {
  const driver = options.driver ?? 'system';
  const prepared = prepareDriver(options, driver);
  const dawn = await loadDawn();
  const gpu = dawn.create([...prepared.dawn, ...(options.dawnOptions ?? [])]);
  const adapter = await gpu.requestAdapter(prepared.adapter).catch(() => null);
  if (!adapter) throw new NodeWebGPUError(`Dawn's ${driver} driver gave no WebGPU adapter.`, { fix: HELP[driver] });
  const release = options.installGlobals === false ? () => {} : installGlobals(dawn, gpu);
  return { gpu, adapterOptions: prepared.adapter, driver, release };
}
