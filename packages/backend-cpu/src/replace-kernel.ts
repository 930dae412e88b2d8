/** Swapping one of a tfjs backend's registered kernels for our own, keeping the stock one to delegate to. */
import { type KernelFunc, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

/** The kernels installed by replaceKernel, so a second call recognises its own. */
const installed = new WeakSet<KernelFunc>();

/**
 * Registers `make(stock)` in place of the backend's `kernelName` kernel,
 * keeping the rest of its config (gradient-saving lists). Idempotent: when
 * our kernel is already there, or the backend has no such kernel, it does
 * nothing.
 */
export function replaceKernel(kernelName: string, backendName: string, make: (stock: KernelFunc) => KernelFunc): void {
  const existing = getKernel(kernelName, backendName);
  if (!existing || installed.has(existing.kernelFunc)) return;
  const replacement = make(existing.kernelFunc);
  installed.add(replacement);
  unregisterKernel(kernelName, backendName);
  registerKernel({ ...existing, kernelFunc: replacement });
}
