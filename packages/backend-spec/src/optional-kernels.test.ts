// The optional kernels' definitions: the runtime list, and (checked by
// `pnpm typecheck`, which compiles this file) that the types refuse a wrong
// attribute, a missing input and a wrong number of outputs on both sides.
import { describe, expect, it } from 'vitest';
import {
  OPTIONAL_KERNEL_NAMES,
  type OptionalKernelAttrs,
  type OptionalKernelImplementation,
  type OptionalKernelInputs,
  type OptionalKernelName,
  type OptionalKernelOutputs,
  TunekitAttention,
  TunekitDropoutMask,
  TunekitGelu,
  TunekitLayerNorm,
  TunekitLayerNormGrad,
} from './index';

/** A caller typed as core's `runOptionalKernel` is, over a stand-in tensor type; returns what it was asked to run. */
interface FakeTensor { id: string }
const calls: { name: string; inputs: object; attrs: object }[] = [];
function run<K extends OptionalKernelName>(name: K, inputs: OptionalKernelInputs<K, FakeTensor>, attrs: OptionalKernelAttrs<K>): OptionalKernelOutputs<K, FakeTensor> {
  calls.push({ name, inputs, attrs });
  return undefined as unknown as OptionalKernelOutputs<K, FakeTensor>;
}
const t: FakeTensor = { id: 't' };

describe('optional kernels', () => {
  it('lists each name once, every one Tunekit…, and each …Grad with its forward kernel', () => {
    expect(new Set(OPTIONAL_KERNEL_NAMES).size).toBe(OPTIONAL_KERNEL_NAMES.length);
    expect(OPTIONAL_KERNEL_NAMES.length).toBeGreaterThanOrEqual(10);
    for (const name of OPTIONAL_KERNEL_NAMES) {
      expect(name).toMatch(/^Tunekit[A-Z]\w+$/);
      if (name.endsWith('Grad')) expect(OPTIONAL_KERNEL_NAMES, name).toContain(name.slice(0, -'Grad'.length));
    }
  });

  it('types the calls: right ones compile, wrong ones do not', () => {
    calls.length = 0;
    run(TunekitGelu, { x: t }, { approximate: true });
    run(TunekitLayerNormGrad, { dy: t, x: t, gamma: t, mean: t, rstd: t }, {});
    run(TunekitDropoutMask, {}, { shape: [2, 3], rate: 0.1, seed: 1 });
    // @ts-expect-error -- a misspelt attribute
    run(TunekitGelu, { x: t }, { aproximate: true });
    // @ts-expect-error -- a missing attribute (skipFuture)
    run(TunekitAttention, { qkv: t, mask: t }, { heads: 2, scale: 1, dropoutRate: 0, seed: 0 });
    // @ts-expect-error -- a missing input
    run(TunekitLayerNorm, { x: t, gamma: t }, { epsilon: 1e-5 });
    // @ts-expect-error -- not an optional kernel
    run('NotAKernel', {}, {});
    // @ts-expect-error -- attributes on a kernel that takes none
    run(TunekitLayerNormGrad, { dy: t, x: t, gamma: t, mean: t, rstd: t }, { epsilon: 1e-5 });
    expect(calls.map((c) => c.name)).toEqual([TunekitGelu, TunekitLayerNormGrad, TunekitDropoutMask, TunekitGelu, TunekitAttention, TunekitLayerNorm, 'NotAKernel', TunekitLayerNormGrad]);
  });

  it('types the outputs: one output alone, several as a tuple of that length', () => {
    const one: FakeTensor = run(TunekitGelu, { x: t }, { approximate: false }) ?? t;
    // @ts-expect-error -- layer norm returns three tensors, not two
    const [y, mean]: [FakeTensor, FakeTensor] = run(TunekitLayerNorm, { x: t, gamma: t, beta: t }, { epsilon: 1e-5 }) ?? [t, t, t];
    expect([one, y, mean]).toEqual([t, t, t]);
    const layerNorm: OptionalKernelImplementation<typeof TunekitLayerNorm, FakeTensor, null> = ({ x }, { epsilon }) => [x, { id: `mean ${epsilon}` }, { id: 'rstd' }];
    // @ts-expect-error -- an implementation that returns too few outputs
    const short: OptionalKernelImplementation<typeof TunekitLayerNorm, FakeTensor, null> = ({ x }) => [x, x];
    expect(layerNorm({ x: t, gamma: t, beta: t }, { epsilon: 0.5 }, null)).toEqual([t, { id: 'mean 0.5' }, { id: 'rstd' }]);
    expect(typeof short).toBe('function');
  });
});
