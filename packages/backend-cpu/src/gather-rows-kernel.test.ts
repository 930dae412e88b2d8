// GatherV2 along the first axis as row copies (the embedding lookup) on the
// cpu flavours: the same values as indexing by hand for 2-D and 3-D tables
// and 1-D and 2-D ids, repeated ids, the same refusal of an out-of-range id,
// and the other axes still served (by the stock kernel).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCPUBackend } from './index';

const cpu = createCPUBackend({ prefer: ['cpu'] });
beforeAll(async () => {
  await cpu.doInit();
});
afterAll(async () => {
  await cpu.doDispose?.();
});

/** out[i, ...] = table[ids[i], ...], by hand. */
function byHand(table: Float32Array, rowSize: number, ids: number[]): number[] {
  return ids.flatMap((id) => Array.from(table.subarray(id * rowSize, (id + 1) * rowSize)));
}

describe('GatherV2 rows on cpu', () => {
  it('copies the named rows of 2-D and 3-D tables for 1-D and 2-D ids, repeats included', () => {
    expect(tf.getBackend()).toBe('cpu');
    const baseline = tf.memory().numTensors;
    for (const shape of [[37, 5], [11, 3, 4], [1, 7]]) tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b, 1);
      const table = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 100);
      const rowSize = size / (shape[0] as number);
      const x = tf.tensor(table, shape);
      const rows = shape[0] as number;
      const ids = [0, rows - 1, Math.floor(rows / 2), 0, rows - 1];
      const flat = tf.gather(x, tf.tensor1d(ids, 'int32'));
      expect(flat.shape).toEqual([ids.length, ...shape.slice(1)]);
      expect(Array.from(flat.dataSync())).toEqual(byHand(table, rowSize, ids));
      const grid = tf.gather(x, tf.tensor2d([ids.slice(0, 2), ids.slice(2, 4)], [2, 2], 'int32'));
      expect(grid.shape).toEqual([2, 2, ...shape.slice(1)]);
      expect(Array.from(grid.dataSync())).toEqual(byHand(table, rowSize, ids.slice(0, 4)));
    });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('refuses an id outside the table, naming it; other axes keep working', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    expect(() => tf.gather(x, tf.tensor1d([0, 3], 'int32'))).toThrow(/index 3 at position 1 is not in \[0, 2\]/);
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow(/index -1/);
    expect(Array.from(tf.gather(x, tf.tensor1d([1, 0], 'int32'), 1).dataSync())).toEqual([2, 1, 4, 3, 6, 5]);
    x.dispose();
  });
});
