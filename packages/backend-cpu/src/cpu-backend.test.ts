// The CPU backend's start-up contract: doInit re-selects its tfjs engine when
// something switched away, and doDispose undoes what doInit did (the native
// kernels replace tfjs's cpu kernels process-wide) so a later doInit starts afresh.
import * as tf from '@tensorflow/tfjs-core';
import { TunekitAdamW } from '@tunekit/backend-spec';
import { describe, expect, it } from 'vitest';
import { createCPUBackend } from './index';

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
    const backend = createCPUBackend({ prefer: ['native'] });
    const started = await backend.doInit().then(() => undefined, (error: Error) => error.message);
    if (started !== undefined) {
      // No compiled native kernels here: nothing process-wide to undo, only the state.
      expect(started).toMatch(/native unavailable/);
      return;
    }
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
