/**
 * Output arrays used again (./kernels/reusable-arrays.ts): a native kernel's
 * output takes the array of a disposed tensor only when nothing else can
 * still see it — not after a read-out, not while a reshape shares the
 * dataId, not after a stock kernel (which may return a view) took it — and
 * memory accounting is unchanged. Off (`reuseArrays: false`), every output
 * is new.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNativeCPUKernels, unregisterNativeCPUKernels } from './index';
import { arrayOf, useCpuBackend } from './test-support/cpu-backend';
import { expectSameBytes } from './test-support/compare';
import { nativeSkipReason } from './test-support/native-modes';
import { randomTensor } from './test-support/random';

beforeAll(useCpuBackend);
afterAll(() => {
  registerNativeCPUKernels();
  unregisterNativeCPUKernels();
});

describe.skipIf(nativeSkipReason !== undefined)(`native outputs reuse disposed arrays${nativeSkipReason ? ` — skipped: ${nativeSkipReason}` : ''}`, () => {
  const shape = [530, 501]; // ≥ 1 MiB: smaller arrays are not pooled

  it('a disposed output array is the next same-size output; memory accounting back to baseline', () => {
    registerNativeCPUKernels();
    const a = randomTensor(shape, 1);
    const b = randomTensor(shape, 2);
    const baseline = tf.memory();
    const first = tf.add(a, b);
    const array = arrayOf(first);
    first.dispose();
    const second = tf.mul(a, b);
    expect(arrayOf(second)).toBe(array);
    // Overwritten entirely: the product, not the sum.
    const expected = tf.mul(a, b);
    expectSameBytes(Float32Array.from(second.dataSync()), Float32Array.from(expected.dataSync()), 'reused output');
    expected.dispose();
    second.dispose();
    expect(tf.memory().numTensors).toBe(baseline.numTensors);
    expect(tf.memory().numBytes).toBe(baseline.numBytes);
    tf.dispose([a, b]);
  });

  it('a kernel that adds into its output gets a reused array zeroed (UnsortedSegmentSum after a disposed add)', () => {
    registerNativeCPUKernels();
    const a = randomTensor(shape, 6);
    const first = tf.add(a, a);
    const array = arrayOf(first);
    first.dispose();
    const rows = randomTensor([3, 501], 7);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const summed = tf.unsortedSegmentSum(rows, ids, 530);
    expect(arrayOf(summed)).toBe(array);
    const x = rows.dataSync();
    const expected = new Float32Array(530 * 501);
    [2, 0, 2].forEach((id, r) => {
      for (let c = 0; c < 501; c++) expected[id * 501 + c] = (expected[id * 501 + c] as number) + (x[r * 501 + c] as number);
    });
    expectSameBytes(Float32Array.from(summed.dataSync()), expected, 'segment sum into a reused array');
    tf.dispose([a, rows, ids, summed]);
  });

  for (const [label, keep] of [
    ['read out (dataSync)', (t: tf.Tensor) => {
      const held = t.dataSync() as Float32Array;
      return { seen: () => held, release: () => undefined };
    }],
    ['shared by a reshape', (t: tf.Tensor) => {
      const r = tf.reshape(t, [-1]);
      return { seen: () => arrayOf(r), release: () => r.dispose() };
    }],
    ['viewed by stock StridedSlice', (t: tf.Tensor) => {
      const v = tf.stridedSlice(t, [0, 0], [2, 501], [1, 1]);
      return { seen: () => arrayOf(v), release: () => v.dispose() };
    }],
    ['viewed by stock Unpack', (t: tf.Tensor) => {
      const rows = tf.unstack(t);
      return { seen: () => arrayOf(rows[0] as tf.Tensor), release: () => tf.dispose(rows) };
    }],
  ] as const) {
    it(`never reuses an array ${label}`, () => {
      registerNativeCPUKernels();
      const a = randomTensor(shape, 3);
      const b = randomTensor(shape, 4);
      const out = tf.add(a, b);
      const array = arrayOf(out);
      const { seen, release } = keep(out);
      const before = Float32Array.from(seen());
      out.dispose();
      const next = [tf.sub(a, b), tf.mul(a, b), tf.div(a, b)];
      for (const t of next) expect(arrayOf(t)).not.toBe(array);
      expectSameBytes(Float32Array.from(seen()), before, `${label}: what the holder sees is unchanged`);
      release();
      tf.dispose([...next, a, b]);
    });
  }

  it('reuseArrays: false makes every output new', () => {
    registerNativeCPUKernels({ reuseArrays: false });
    const a = randomTensor(shape, 5);
    const first = tf.add(a, a);
    const array = arrayOf(first);
    first.dispose();
    const second = tf.add(a, a);
    expect(arrayOf(second)).not.toBe(array);
    tf.dispose([a, second]);
    registerNativeCPUKernels();
  });
});
