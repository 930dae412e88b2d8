/**
 * Swapping tfjs cpu kernels for native ones and back. The stock kernel
 * configs are kept so that unregistering restores them exactly; a kernel
 * someone else replaced after us is left alone.
 */
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { GatherV2, Identity, type KernelConfig, type KernelFunc, Reshape, getKernel, getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { InvalidStateError } from '@tunekit/formats';
import { ALL_KERNELS } from './kernels/all-kernels';
import type { NativeAddon } from './native/addon-types';
import { emptyPool, exposeInputs } from './kernels/reusable-arrays';

/**
 * A stock kernel that first ends the reusability of its inputs' arrays
 * (./kernels/reusable-arrays.ts): stock kernels may return views of an
 * input (Slice, StridedSlice, SplitV, Unpack) or keep it, so an array a stock
 * kernel has seen is never recycled or updated in place.
 */
function exposingInputs(stock: KernelFunc): KernelFunc {
  return (args) => {
    exposeInputs(args.backend as MathBackendCPU, args.inputs);
    return stock(args);
  };
}

/**
 * Kernels that neither view nor keep their input's array: Reshape and
 * Identity only add a reference to the same dataId (counted by its
 * refCount), GatherV2 copies rows (the embedding lookup reads wte every
 * step: wrapping it would keep AdamW from updating wte in place).
 */
const KEEPS_NO_INPUT_ARRAY = new Set<string>([Reshape, Identity, GatherV2]);

/** The stock kernels we wrapped with {@link exposingInputs}, to restore. */
const wrapped = new Map<string, { stock: KernelConfig; ours: KernelFunc }>();

interface Installed {
  /** The stock config to restore; undefined for a kernel only we provide. */
  stock?: KernelConfig;
  ours: KernelFunc;
}

const installed = new Map<string, Installed>();

/** Names of the kernels currently overridden by us. */
export function installedKernels(): string[] {
  return [...installed.keys()];
}

/** Overrides every kernel that has a stock cpu version (idempotent). */
export function installKernels(addon: NativeAddon): void {
  for (const kernel of ALL_KERNELS) {
    if (installed.has(kernel.kernelName)) continue;
    const stock = getKernel(kernel.kernelName, 'cpu');
    if (kernel.extra) {
      if (stock) continue; // someone else's kernel of that name
      const ours = kernel.create(addon, () => {
        throw new InvalidStateError(`${kernel.kernelName} has no stock version to fall back to.`, { fix: 'This is a bug in @tunekit/cpu-kernels: please report it (set TUNEKIT_DISABLE_NATIVE=1 meanwhile).' });
      });
      registerKernel({ kernelName: kernel.kernelName, backendName: 'cpu', kernelFunc: ours });
      installed.set(kernel.kernelName, { ours });
      continue;
    }
    if (!stock) continue;
    const ours = kernel.create(addon, exposingInputs(stock.kernelFunc));
    unregisterKernel(kernel.kernelName, 'cpu');
    registerKernel({ ...stock, kernelFunc: ours });
    installed.set(kernel.kernelName, { stock, ours });
  }
  for (const stock of getKernelsForBackend('cpu')) {
    if (installed.has(stock.kernelName) || wrapped.has(stock.kernelName) || KEEPS_NO_INPUT_ARRAY.has(stock.kernelName)) continue;
    const ours = exposingInputs(stock.kernelFunc);
    unregisterKernel(stock.kernelName, 'cpu');
    registerKernel({ ...stock, kernelFunc: ours });
    wrapped.set(stock.kernelName, { stock, ours });
  }
}

/** Puts the stock kernels back where ours are still registered. */
export function uninstallKernels(): void {
  for (const [name, { stock, ours }] of installed) {
    if (getKernel(name, 'cpu')?.kernelFunc === ours) {
      unregisterKernel(name, 'cpu');
      if (stock) registerKernel(stock);
    }
  }
  installed.clear();
  for (const [name, { stock, ours }] of wrapped) {
    if (getKernel(name, 'cpu')?.kernelFunc === ours) {
      unregisterKernel(name, 'cpu');
      registerKernel(stock);
    }
  }
  wrapped.clear();
  emptyPool();
}
