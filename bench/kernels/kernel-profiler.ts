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

/** The products, adds, sums and transposes, which `byShape` lists per input shapes (which GEMM is slow, which Add is left). */
const BY_SHAPE = new Set(['BatchMatMul', '_FusedMatMul', 'TunekitLinear', 'TunekitLoRALinear', 'TunekitLoRALinearGrad', 'Add', 'Sum', 'Transpose']);

/** `BatchMatMul[1024,768][50257,768]tB`: the kernel, its inputs' shapes, and which operands are transposed. */
function shapeKey(name: string, args: Parameters<KernelConfig['kernelFunc']>[0]): string {
  const shapes = Object.values(args.inputs).map((t) => `[${t?.shape.join(',') ?? ''}]`).join('');
  const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
  return `${name}${shapes}${attrs?.transposeA ? 'tA' : ''}${attrs?.transposeB ? 'tB' : ''}`;
}

/**
 * Wraps every cpu kernel registered now (call after registering native
 * kernels). `byShape`: products and adds are counted per input shapes.
 */
export function startProfiling(options: { byShape?: boolean } = {}): void {
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
          const key = options.byShape && BY_SHAPE.has(name) ? shapeKey(name, args) : name;
          const stat = stats.get(key) ?? { kernel: key, calls: 0, ms: 0 };
          stat.calls++;
          stat.ms += total - children;
          stats.set(key, stat);
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
