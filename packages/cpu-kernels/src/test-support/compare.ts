/**
 * Running the same computation on the stock tfjs cpu kernels and on ours,
 * and comparing the results with an explicit tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from '../index';

type Output = tf.Tensor | tf.Tensor[];

function read(fn: () => Output): Float32Array[] {
  const outputs = tf.tidy(fn);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** The values of the tensor `fn` makes (inside a tidy), copied out; the tensor is disposed. */
export function valuesOf(fn: () => tf.Tensor): Float32Array {
  return read(fn)[0] as Float32Array;
}

/** Results of `fn` with the stock kernels, then with the native ones (left registered). */
export function stockAndNative(fn: () => Output, threads?: number): { stock: Float32Array[]; native: Float32Array[] } {
  unregisterNativeCPUKernels();
  const stock = read(fn);
  registerNativeCPUKernels({ threads });
  const native = read(fn);
  return { stock, native };
}

/** Largest |x|. */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] as number));
  return max;
}

/** Largest |actual - expected| (NaN if either has a NaN where the other has not). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) !== Number.isNaN(e)) return Number.NaN;
    if (!Number.isNaN(a)) max = Math.max(max, Math.abs(a - e));
  }
  return max;
}

/**
 * Expects equal lengths and max |actual - expected| ≤ relTol · max(1, max|expected|):
 * float32 sums in a different order differ by a few ulps of the magnitude.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol = 1e-4, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  const tolerance = relTol * Math.max(1, maxAbs(expected));
  const diff = maxAbsDiff(actual, expected);
  expect(diff, `${label} max abs diff ${diff} > ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

/** Compares every output of stock vs native. */
export function expectSameAsStock(fn: () => Output, relTol = 1e-4, label = '', threads?: number): void {
  const { stock, native } = stockAndNative(fn, threads);
  expect(native.length).toBe(stock.length);
  stock.forEach((expected, i) => expectClose(native[i] as Float32Array, expected, relTol, `${label} output ${i}`));
}

/**
 * Stock result once, then the native result under each mode (ISA level ×
 * threads) compared with it. Modes the machine cannot run are left out here;
 * the suites list them as skipped tests with the reason.
 */
export function expectSameAsStockInModes(
  fn: () => Output,
  modes: ReadonlyArray<{ isa: string; threads: number }>,
  setMode: (mode: { isa: string; threads: number }) => void,
  relTol = 1e-4,
  label = '',
): void {
  unregisterNativeCPUKernels();
  const stock = read(fn);
  for (const mode of modes) {
    setMode(mode);
    const native = read(fn);
    expect(native.length).toBe(stock.length);
    stock.forEach((expected, i) => expectClose(native[i] as Float32Array, expected, relTol, `${label} [${mode.isa}, ${mode.threads} threads] output ${i}`));
  }
}

/**
 * Asserts two float arrays hold the same bytes (−0, NaN payloads included),
 * reporting the first index that differs; a plain loop, as a deep equality
 * of large typed arrays takes seconds.
 */
export function expectSameBytes(actual: Float32Array, expected: Float32Array, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let first = -1;
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      first = i;
      break;
    }
  }
  expect(first === -1 ? 'same bytes' : `differs first at ${first}: ${actual[first]} vs ${expected[first]}`, label).toBe('same bytes');
}
