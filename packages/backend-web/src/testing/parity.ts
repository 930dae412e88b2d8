/**
 * Test support: run the same tfjs computation on two engines and compare.
 * Inputs are built inside the computation so they live on the engine under test.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic values in [-1, 1) (a linear congruential generator; no test flakes). */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Selects `engine`, runs `compute` in a tidy scope, and returns its outputs' values. */
export async function valuesOn(engine: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(engine))) throw new Error(`tfjs backend ${engine} failed to start`); // plain Error: test support: an assertion of the parity tests
  // tfjs's cpu backend prints an "install tfjs-node" banner on first use; not useful in tests.
  const backend = tf.findBackend(engine) as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
  const outputs = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outputs);
  return values;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`); // plain Error: test support: an assertion of the parity tests
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
