/** The public API: info without registering, idempotent registration, restoring the stock kernels. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OPTIONAL_KERNEL_NAMES } from '@tunekit/backend-spec';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeKernelsInfo, registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { nativeSkipReason } from './test-support/native-modes';

afterAll(() => unregisterNativeCPUKernels());

describe('nativeKernelsInfo', () => {
  it('reports a consistent state and registers nothing', () => {
    const stock = tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc;
    const info = nativeKernelsInfo();
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(stock);
    if (info.available) {
      expect(info.reason).toBeUndefined();
      expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(info.isa);
      expect(info.threads).toBeGreaterThanOrEqual(1);
      expect(info.kernels).toContain('BatchMatMul');
    } else {
      expect(info.reason).toMatch(/\S/);
      expect(info.isa).toBe('none');
      expect(info.kernels).toEqual([]);
    }
  });
});

describe.skipIf(nativeSkipReason !== undefined)(`registration${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  it('is idempotent, applies thread counts, and unregistering restores the stock kernels', () => {
    const stock = tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc;
    const first = registerNativeCPUKernels({ threads: 1 });
    expect(first.available).toBe(true);
    expect(first.threads).toBe(1);
    const ours = tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc;
    expect(ours).not.toBe(stock);
    const second = registerNativeCPUKernels({ threads: 2 });
    expect(second.threads).toBe(2);
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(ours);
    expect(second.kernels).toEqual(first.kernels);
    for (const name of second.kernels) expect(tf.getKernel(name, 'cpu'), name).toBeDefined();
    unregisterNativeCPUKernels();
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(stock);
    unregisterNativeCPUKernels(); // a second call is harmless
    expect(tf.getKernel('BatchMatMul', 'cpu')?.kernelFunc).toBe(stock);
  });

  it('registers every optional kernel of @tunekit/backend-spec', () => {
    const info = registerNativeCPUKernels();
    expect(info.kernels).toEqual(expect.arrayContaining([...OPTIONAL_KERNEL_NAMES]));
    for (const name of OPTIONAL_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu'), name).toBeDefined();
    unregisterNativeCPUKernels();
    for (const name of OPTIONAL_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
  });

  it('leaves alone a kernel that someone else replaced after us', () => {
    registerNativeCPUKernels();
    const theirs: tf.KernelFunc = () => {
      throw new Error('not called');
    };
    const current = tf.getKernel('UnsortedSegmentSum', 'cpu') as tf.KernelConfig;
    tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
    tf.registerKernel({ ...current, kernelFunc: theirs });
    unregisterNativeCPUKernels();
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')?.kernelFunc).toBe(theirs);
    tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
    tf.registerKernel(current);
  });
});
