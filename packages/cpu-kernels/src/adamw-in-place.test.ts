/**
 * TunekitAdamW with `consumesInputs`: the update goes over the variable's and
 * moments' arrays only when nothing else can see them, and gives the same
 * bits as writing new arrays. Driven like core's AdamW: run the kernel,
 * assign the outputs to the variables, dispose the outputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunekitAdamW } from '@tunekit/backend-spec';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { type AdamWState, adamwReference } from './test-support/adamw-reference';
import { arrayOf, useCpuBackend } from './test-support/cpu-backend';
import { expectSameBytes } from './test-support/compare';
import { nativeSkipReason, restoreIsa, runnableModes, setMode } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  restoreIsa();
  unregisterNativeCPUKernels();
});

interface Slot { variable: tf.Variable; m: tf.Variable; v: tf.Variable }

function slot(seed: number, shape = [37, 129]): Slot {
  // tidy disposes the initial values; the variables survive it.
  return tf.tidy(() => ({
    variable: tf.variable(randomTensor(shape, seed)),
    m: tf.variable(randomTensor(shape, seed + 1, 0.01)),
    v: tf.variable(tf.abs(randomTensor(shape, seed + 2, 1e-4))),
  }));
}

const ATTRS = { beta1: 0.9, beta2: 0.999, decay: 1 - 1e-4, correction2: 0.3, eps: 1e-8, stepSize: 1e-3, gradientScale: 0.75 };

/** One update as core's AdamW.apply runs it. */
function step(s: Slot, gradient: tf.Tensor, consumesInputs: boolean): void {
  const attrs = { ...ATTRS, consumesInputs };
  const [variable, m, v] = tf.engine().runKernel(TunekitAdamW, { variable: s.variable, gradient, m: s.m, v: s.v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  s.variable.assign(variable as tf.Tensor);
  s.m.assign(m as tf.Tensor);
  s.v.assign(v as tf.Tensor);
  tf.dispose([variable as tf.Tensor, m as tf.Tensor, v as tf.Tensor]);
}

describe.skipIf(nativeSkipReason !== undefined)(`${TunekitAdamW} in place${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  it('same bits as new arrays over 4 steps; from the second step on the arrays are reused; memory back to its baseline', () => {
    registerNativeCPUKernels();
    const baseline = tf.memory();
    const inPlace = slot(1);
    const fresh = slot(1);
    const gradients = [0, 1, 2, 3].map((i) => randomTensor([37, 129], 10 + i, 0.1));
    const arrays: Float32Array[] = [];
    for (const g of gradients) {
      step(inPlace, g, true);
      step(fresh, g, false);
      arrays.push(arrayOf(inPlace.variable));
    }
    // The first update's inputs came from tf.variable (not made by the kernel): new arrays. Then the same three.
    expect(arrays[1]).toBe(arrays[0]);
    expect(arrays[3]).toBe(arrays[0]);
    expect(arrayOf(fresh.variable)).not.toBe(arrays[0]);
    for (const key of ['variable', 'm', 'v'] as const) expectSameBytes(Float32Array.from(inPlace[key].dataSync()), Float32Array.from(fresh[key].dataSync()), key);
    tf.dispose([...gradients, inPlace.variable, inPlace.m, inPlace.v, fresh.variable, fresh.m, fresh.v]);
    expect(tf.memory().numTensors).toBe(baseline.numTensors);
    expect(tf.memory().numBytes).toBe(baseline.numBytes);
  });

  // An odd size inside one task, and one the pool splits (70007 elements: the
  // second and third thread's ranges start off a 16-element boundary).
  for (const shape of [[3, 11], [7, 10001]]) {
    it(`[${shape.join(', ')}]: the in-place update has the bits of the float32 op order at every SIMD level and thread count`, () => {
      const gradient = randomTensor(shape, 33, 0.1);
      const g = Float32Array.from(arrayOf(gradient));
      for (const mode of runnableModes()) {
        setMode(mode);
        const s = slot(30, shape);
        // arrayOf, not dataSync: a read-out would keep the next update out of these arrays.
        const state = (): AdamWState => ({ p: Float32Array.from(arrayOf(s.variable)), m: Float32Array.from(arrayOf(s.m)), v: Float32Array.from(arrayOf(s.v)) });
        const expected = adamwReference(adamwReference(state(), g, ATTRS), g, ATTRS);
        step(s, gradient, true); // new arrays: the inputs came from tf.variable
        const before = arrayOf(s.variable);
        step(s, gradient, true);
        expect(arrayOf(s.variable), 'the second update went over the first one\'s arrays').toBe(before);
        const got = state();
        for (const key of ['p', 'm', 'v'] as const) expectSameBytes(got[key], expected[key], `${mode.isa} × ${mode.threads} threads: ${key}`);
        tf.dispose([s.variable, s.m, s.v]);
      }
      gradient.dispose();
    });
  }

  it('never overwrites what a caller can still see: a read-out array, a clone, a reshape, a stridedSlice or unstack view, or values without consumesInputs', () => {
    registerNativeCPUKernels();
    const s = slot(5, [6, 10]);
    const g = randomTensor([6, 10], 6, 0.1);
    step(s, g, true); // now the arrays are the kernel's own
    const check = (label: string, keep: () => { seen: () => Float32Array; expected: Float32Array; release?: () => void }): void => {
      step(s, g, true); // arrays reused again
      const before = arrayOf(s.variable);
      const { seen, expected, release } = keep();
      step(s, g, true);
      expectSameBytes(seen(), expected, `${label}: what the caller holds is unchanged`);
      expect(arrayOf(s.variable), `${label}: a new array was written`).not.toBe(before);
      release?.();
    };
    check('dataSync', () => {
      const held = s.variable.dataSync() as Float32Array;
      return { seen: () => held, expected: Float32Array.from(held) };
    });
    check('clone', () => {
      const c = tf.clone(s.variable);
      const copy = Float32Array.from(c.dataSync());
      return { seen: () => Float32Array.from(c.dataSync()), expected: copy, release: () => c.dispose() };
    });
    check('reshape', () => {
      const r = tf.reshape(s.variable, [60]);
      const copy = Float32Array.from(arrayOf(r));
      return { seen: () => Float32Array.from(arrayOf(r)), expected: copy, release: () => r.dispose() };
    });
    check('stridedSlice', () => {
      const view = tf.stridedSlice(s.variable, [0, 0], [2, 10], [1, 1]);
      const copy = Float32Array.from(arrayOf(view));
      return { seen: () => Float32Array.from(arrayOf(view)), expected: copy, release: () => view.dispose() };
    });
    check('unstack', () => {
      const rows = tf.unstack(s.variable);
      const copy = Float32Array.from(arrayOf(rows[0] as tf.Tensor));
      return { seen: () => Float32Array.from(arrayOf(rows[0] as tf.Tensor)), expected: copy, release: () => tf.dispose(rows) };
    });
    // Without consumesInputs the kernel always writes new arrays.
    step(s, g, true);
    const owned = arrayOf(s.variable);
    const copy = Float32Array.from(owned);
    const [variable, m, v] = tf.engine().runKernel(TunekitAdamW, { variable: s.variable, gradient: g, m: s.m, v: s.v }, { beta1: 0.9, beta2: 0.999, decay: 1, correction2: 0.3, eps: 1e-8, stepSize: 1e-3 }) as tf.Tensor[];
    expect(arrayOf(variable as tf.Tensor)).not.toBe(owned);
    expectSameBytes(owned, copy, 'no consumesInputs: the input untouched');
    tf.dispose([variable as tf.Tensor, m as tf.Tensor, v as tf.Tensor, g, s.variable, s.m, s.v]);
  });
});
