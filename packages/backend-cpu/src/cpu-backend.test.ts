// The CPU backend's start-up contract: doInit re-selects its tfjs engine when
// something switched away, and doDispose undoes what doInit did (the native
// kernels replace tfjs's cpu kernels process-wide) so a later doInit starts afresh.
import * as tf from '@tensorflow/tfjs-core';
import { TunekitAdamW } from '@tunekit/backend-spec';
import { describe, expect, it } from 'vitest';
import { createCPUBackend } from './index';

/** A native-flavour backend, started; undefined (after checking why) where no compiled native kernels exist. */
async function startedNative(): Promise<ReturnType<typeof createCPUBackend> | undefined> {
  const backend = createCPUBackend({ prefer: ['native'] });
  const started = await backend.doInit().then(() => undefined, (error: Error) => error.message);
  if (started === undefined) return backend;
  // CI builds the addon (TUNEKIT_REQUIRE_NATIVE=1 in .ci/run): there it must start.
  if (process.env.TUNEKIT_REQUIRE_NATIVE === '1') throw new Error(`TUNEKIT_REQUIRE_NATIVE=1 but the native flavour did not start: ${started}`);
  expect(started).toMatch(/native unavailable/);
  return undefined;
}

describe('CPU backend options', () => {
  it('rejects prefer given as a string, empty, or with an unknown flavour, when created', () => {
    expect(() => createCPUBackend({ prefer: 'native' as never })).toThrow(/prefer must be a non-empty list of CPU flavours, got "native"/);
    expect(() => createCPUBackend({ prefer: [] })).toThrow(/prefer must be a non-empty list/);
    expect(() => createCPUBackend({ prefer: ['nativ' as never, 'cpu'] })).toThrow(/unknown CPU flavour\(s\) "nativ" \(known: native, wasm, cpu\)/);
  });
});

describe('CPU backend start-up', () => {
  it('re-selects its tfjs engine on doInit after another backend took over', async () => {
    const cpu = createCPUBackend({ prefer: ['cpu'] });
    const wasm = createCPUBackend({ prefer: ['wasm'] });
    await cpu.doInit();
    await wasm.doInit();
    expect(tf.getBackend()).toBe('wasm');
    await cpu.doInit();
    expect(tf.getBackend()).toBe('cpu');
    await cpu.doDispose?.();
    await wasm.doDispose?.();
  });

  it('doDispose restores tfjs’s cpu kernels and forgets its state; doInit starts again', async () => {
    const backend = await startedNative();
    if (!backend) return;
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeDefined();
    await backend.doDispose?.();
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeUndefined();
    expect(() => backend.doCapabilities()).toThrow(/call doInit\(\) first/);
    await backend.doInit();
    expect(backend.doCapabilities().description).toMatch(/native kernels/);
    expect(tf.getKernel(TunekitAdamW, 'cpu')).toBeDefined();
    await backend.doDispose?.();
  });
});

describe('embedding lookup and its gradient on native', () => {
  // A read-out (readSync) ends the native kernels' right to update an array
  // in place or recycle it: the table (wte) must not be read out by the
  // lookup, or AdamW copies the whole table every step; and the gradient
  // must come from the native scatter-add, not the JavaScript one that
  // replaced it when registered after the native kernels.
  it('reads neither the table nor the rows out; the values are right', async () => {
    const backend = await startedNative();
    if (!backend) return;
    const table = tf.tensor2d(Float32Array.from({ length: 40 }, (_, i) => i), [10, 4]);
    const ids = tf.tensor1d([3, 0, 3, 9], 'int32');
    const rows = tf.tensor2d(Float32Array.from({ length: 16 }, (_, i) => i + 1), [4, 4]);
    const engine = tf.backend() as unknown as { readSync(dataId: object): unknown };
    const read: object[] = [];
    const readSync = engine.readSync.bind(engine);
    engine.readSync = (dataId) => {
      read.push(dataId);
      return readSync(dataId);
    };
    let gathered: tf.Tensor;
    let summed: tf.Tensor;
    try {
      gathered = tf.gather(table, ids);
      summed = tf.unsortedSegmentSum(rows, ids, 10);
    } finally {
      engine.readSync = readSync;
    }
    expect(read).not.toContain(table.dataId);
    expect(read).not.toContain(rows.dataId);
    expect(Array.from(gathered.dataSync())).toEqual([12, 13, 14, 15, 0, 1, 2, 3, 12, 13, 14, 15, 36, 37, 38, 39]);
    const expected = new Float32Array(40);
    [3, 0, 3, 9].forEach((id, r) => {
      for (let c = 0; c < 4; c++) expected[id * 4 + c] += r * 4 + c + 1;
    });
    expect(Array.from(summed.dataSync())).toEqual(Array.from(expected));
    tf.dispose([table, ids, rows, gathered, summed]);
    await backend.doDispose?.();
  });
});
