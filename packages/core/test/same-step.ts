// Helpers for the tests that run one update two ways (gradient checkpointing,
// the frozen prefix off the tape) and require the same floats from both.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import {
  TunekitAttention, TunekitAttentionGrad, TunekitBiasGelu, TunekitBiasGeluGrad, TunekitDropoutMask, TunekitGelu, TunekitGeluGrad, TunekitLayerNorm, TunekitLayerNormGrad,
  TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad,
} from '@tunekit/backend-spec';

/** Every gradient non-zero and identical float for float in both maps (same names). */
export function expectSameGradients(expected: Map<string, Float32Array>, actual: Map<string, Float32Array>, label: string): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name) as Float32Array;
    let maxDiff = 0;
    let maxAbs = 0;
    want.forEach((e, i) => {
      maxDiff = Math.max(maxDiff, Math.abs((got[i] as number) - e));
      maxAbs = Math.max(maxAbs, Math.abs(e));
    });
    expect(maxAbs, `${name} has a non-zero gradient`).toBeGreaterThan(0);
    // The same kernels on the same inputs in the same order: identical floats.
    expect(maxDiff, `${name}: max |${label}| = ${maxDiff}`).toBe(0);
  }
}

/** Runs `fn` with core's optional fused kernels unregistered (attention, layer norm, GELU, bias + GELU, dropout mask, the loss's softmax cross-entropy), so the op-by-op path runs. */
export async function onOpPath(fn: () => Promise<void>): Promise<void> {
  const backend = tf.getBackend();
  const names = [TunekitAttention, TunekitAttentionGrad, TunekitLayerNorm, TunekitLayerNormGrad, TunekitGelu, TunekitGeluGrad, TunekitBiasGelu, TunekitBiasGeluGrad, TunekitDropoutMask, TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad];
  const configs = names.flatMap((name) => {
    const config = tf.getKernel(name, backend);
    if (config) tf.unregisterKernel(name, backend);
    return config ? [config] : [];
  });
  try {
    await fn();
  } finally {
    for (const config of configs) tf.registerKernel(config);
  }
}
