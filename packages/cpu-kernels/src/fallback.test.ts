/**
 * Graceful degradation: with TUNEKIT_DISABLE_NATIVE=1 (the same path as a
 * missing or unloadable binary) the package reports why and leaves the
 * stock kernels in place. A fresh module instance is loaded so the cached
 * load result of other suites does not interfere (vitest runs each file in
 * its own process).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('when the addon cannot be used', () => {
  it('reports available: false with a reason and registers nothing', async () => {
    vi.stubEnv('TUNEKIT_DISABLE_NATIVE', '1');
    vi.resetModules();
    const api = await import('./index');
    const stock = tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc;
    const info = api.nativeKernelsInfo();
    expect(info).toEqual({ available: false, reason: 'disabled by TUNEKIT_DISABLE_NATIVE', isa: 'none', threads: 0, kernels: [] });
    expect(api.registerNativeCPUKernels({ threads: 2 })).toEqual(info);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(stock);
    api.unregisterNativeCPUKernels();
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(stock);
    // Stock kernels still compute.
    await tf.setBackend('cpu');
    const c = tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1]));
    expect(Array.from(c.dataSync())).toEqual([11]);
  });

  it('TUNEKIT_DISABLE_NATIVE=0 does not disable', async () => {
    vi.stubEnv('TUNEKIT_DISABLE_NATIVE', '0');
    vi.resetModules();
    const { loadAddon } = await import('./native/load-addon');
    expect(loadAddon().reason ?? '').not.toMatch(/TUNEKIT_DISABLE_NATIVE/);
  });
});

describe('when the addon is missing', () => {
  it('says so once, with the fix for npm users, when a backend asks for the kernels', async () => {
    vi.resetModules();
    vi.doMock('./native/load-addon', () => ({
      loadAddon: () => ({ reason: 'native addon not built (no build/Release/tunekit_cpu_kernels.node): install a C++ compiler and run `npm rebuild @tunekit/cpu-kernels`' }),
    }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const api = await import('./index');
      expect(api.registerNativeCPUKernels().available).toBe(false);
      expect(api.registerNativeCPUKernels().available).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toBe(
        '[@tunekit/cpu-kernels] native kernels unavailable, training runs on a slower engine: native addon not built (no build/Release/tunekit_cpu_kernels.node): install a C++ compiler and run `npm rebuild @tunekit/cpu-kernels`',
      );
    } finally {
      warn.mockRestore();
      vi.doUnmock('./native/load-addon');
    }
  });

  it('stays quiet when the kernels were turned off on purpose', async () => {
    vi.stubEnv('TUNEKIT_DISABLE_NATIVE', '1');
    vi.resetModules();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      (await import('./index')).registerNativeCPUKernels();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
