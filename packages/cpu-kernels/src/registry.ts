/**
 * Swapping tfjs cpu kernels for native ones and back. The stock kernel
 * configs are kept so that unregistering restores them exactly; a kernel
 * someone else replaced after us is left alone.
 */
import '@tensorflow/tfjs-backend-cpu';
import { type KernelConfig, type KernelFunc, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { InvalidStateError } from '@tunekit/formats';
import { ALL_KERNELS } from './kernels/all-kernels';
import type { NativeAddon } from './native/addon-types';

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
    const ours = kernel.create(addon, stock.kernelFunc);
    unregisterKernel(kernel.kernelName, 'cpu');
    registerKernel({ ...stock, kernelFunc: ours });
    installed.set(kernel.kernelName, { stock, ours });
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
}
