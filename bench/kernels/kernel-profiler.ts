/**
 * Per-kernel self time on the tfjs cpu backend: every registered cpu kernel
 * is wrapped with a timer. Kernels that run other kernels through the
 * registry (our _FusedMatMul) have their children's time subtracted, so the
 * totals add up to the time spent in kernels.
 */
import { type KernelConfig, getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

export interface KernelStat {
  kernel: string;
  calls: number;
  ms: number;
}

const stats = new Map<string, KernelStat>();
const childTime: number[] = [];
const originals: KernelConfig[] = [];

/** Wraps every cpu kernel registered now (call after registering native kernels). */
export function startProfiling(): void {
  for (const config of getKernelsForBackend('cpu')) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    originals.push(config);
    unregisterKernel(name, 'cpu');
    registerKernel({
      ...config,
      kernelFunc: (args) => {
        childTime.push(0);
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          const total = performance.now() - t0;
          const children = childTime.pop() as number;
          if (childTime.length) childTime[childTime.length - 1] = (childTime[childTime.length - 1] as number) + total;
          const stat = stats.get(name) ?? { kernel: name, calls: 0, ms: 0 };
          stat.calls++;
          stat.ms += total - children;
          stats.set(name, stat);
        }
      },
    });
  }
}

/** Restores the unwrapped kernels. */
export function stopProfiling(): void {
  for (const config of originals.splice(0)) {
    unregisterKernel(config.kernelName, 'cpu');
    registerKernel(config);
  }
}

export function resetProfile(): void {
  stats.clear();
}

/** Kernels by descending self time. */
export function profile(): KernelStat[] {
  return [...stats.values()].sort((a, b) => b.ms - a.ms);
}
