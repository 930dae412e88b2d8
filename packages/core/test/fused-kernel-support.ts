// Helpers for the fused-vs-op-path tests: run core on the native embedded
// backend and compute the same thing with some optional kernels unregistered
// (so core takes its op-by-op path), then compare.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
import { createModel, type GPT2Model, resolveBackend } from '@tunekit/core';

/** Activates the native flavour; returns why it cannot run, or undefined. */
export async function useNativeBackend(): Promise<string | undefined> {
  const backend = createCPUBackend({ prefer: ['native'] });
  try {
    const { capabilities } = await resolveBackend(backend);
    return capabilities.description.includes('native') ? undefined : `native kernels unavailable (${capabilities.description})`;
  } catch (error) {
    return `native kernels unavailable: ${String(error)}`;
  }
}

/** Small and odd: 2 blocks, 3 heads of 7, dropout 0.1 everywhere (GPT-2's default), on the native flavour. */
export function tinyNativeModel(): Promise<GPT2Model> {
  return createModel({ embeddingDim: 21, numLayers: 2, numHeads: 3, contextLength: 32, vocabSize: 300 }, { backend: createCPUBackend({ prefer: ['native'] }), seed: 1 });
}

/** Two rows of token ids for {@link tinyNativeModel} (vocabulary 300). */
export const TINY_IDS = [
  [5, 17, 3, 99, 42, 7, 8, 61, 2],
  [11, 4, 4, 250, 31, 9, 77, 1, 0],
];

/** Runs fn with the named kernels unregistered from the active backend, then restores them. */
export function withoutKernels<T>(names: string[], fn: () => T): T {
  const backend = tf.getBackend();
  const configs = names.map((name) => {
    const config = tf.getKernel(name, backend);
    if (!config) throw new Error(`${name} is not registered on ${backend}`);
    tf.unregisterKernel(name, backend);
    return config;
  });
  try {
    return fn();
  } finally {
    for (const config of configs) tf.registerKernel(config);
  }
}

/** Reads and disposes tensors. */
export function readAll(tensors: tf.Tensor[]): Float32Array[] {
  const out = tensors.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(tensors);
  return out;
}

/** max |a − b| ≤ tol · max(1, max|b|), per pair. */
export function expectAllClose(actual: Float32Array[], expected: Float32Array[], tol: number, labels: string[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as Float32Array;
    expect(a.length, `${labels[i]} length`).toBe(e.length);
    let scale = 1;
    let diff = 0;
    for (let j = 0; j < e.length; j++) {
      scale = Math.max(scale, Math.abs(e[j] as number));
      const d = Math.abs((a[j] as number) - (e[j] as number));
      diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    }
    expect(diff, `${labels[i]}: max abs diff ${diff}`).toBeLessThanOrEqual(tol * scale);
  });
}

/** Every float of each pair identical (Object.is: −0 and NaN count), per pair. */
export function expectSameFloats(actual: Float32Array[], expected: Float32Array[], labels: string[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as Float32Array;
    let differing = 0;
    for (let j = 0; j < e.length; j++) if (!Object.is(a[j], e[j])) differing++;
    expect(differing, `${labels[i]}: ${differing} of ${e.length} floats differ`).toBe(0);
  });
}
