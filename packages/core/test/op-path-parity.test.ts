// The op path's custom-gradient layer norm, GELU, attention and dropout (what wasm,
// WebGPU and pure JS run) against the same ops differentiated by tfjs's
// autodiff (op-path-reference.ts, core before the change): the same value and
// the same gradients float for float, odd shapes, every mask shape the model
// makes, with and without dropout, on the pure-JS cpu, wasm and native
// flavours; and what the tape holds when the backward starts: only the
// inputs, instead of every intermediate.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createCPUBackend, type CPUFlavor } from '@tunekit/backend-cpu';
import { resolveBackend } from '@tunekit/core';
import { opPathAttention } from '../src/model/attention-op-path';
import { opPathGelu } from '../src/model/gelu-op-path';
import { opPathLayerNorm } from '../src/model/layer-norm-op-path';
import { TunekitDropout } from '@tunekit/backend-spec';
import { dropout, residualAdd, residualDropoutAdd } from '../src/model/layers';
import { referenceAttention, referenceDropout, referenceGelu, referenceLayerNorm } from './op-path-reference';

/**
 * Value and gradients of sum(fn(inputs) · w) for every input, and the bytes
 * of tensors alive when the backward starts beyond those alive before the
 * call (what the tape keeps; tf.memory counts a saved clone again).
 */
function run(fn: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): { values: Float32Array[]; keptBytes: number } {
  const value = tf.tidy(() => fn(...inputs));
  const before = tf.memory().numBytes;
  let keptBytes = 0;
  let weights: tf.Tensor | undefined;
  const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const y = args[0] as tf.Tensor;
    weights = tf.keep(tf.randomUniform(y.shape, -1, 1, 'float32', 11));
    return {
      value: tf.sum(tf.mul(y, weights)),
      gradFunc: (dy: tf.Tensor) => {
        // The forward's tidy has run: what is alive beyond the inputs, these weights, the
        // scalar loss and its seed gradient is what the tape kept.
        keptBytes = tf.memory().numBytes - before - (weights as tf.Tensor).size * 4 - 8;
        return tf.mul(dy, weights as tf.Tensor);
      },
    };
  }) as (y: tf.Tensor) => tf.Scalar;
  const grads = tf.grads((...xs: tf.Tensor[]) => probe(fn(...xs)))(inputs);
  const values = [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([value, ...grads, weights as tf.Tensor]);
  return { values, keptBytes };
}

function expectSameFloats(actual: Float32Array[], expected: Float32Array[], labels: string[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as Float32Array;
    let maxDiff = 0;
    e.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs((a[j] as number) - v))));
    expect(a.length, `${labels[i]} length`).toBe(e.length);
    expect(maxDiff, `${labels[i]}: max |custom gradient − autodiff| = ${maxDiff}`).toBe(0);
  });
}

const bytes = (shape: number[]) => shape.reduce((a, b) => a * b, 4);

for (const flavor of ['cpu', 'wasm', 'native'] as CPUFlavor[]) {
  describe(`op path on the ${flavor} flavour`, () => {
    let unavailable: string | undefined;
    const use = async () => {
      const { capabilities } = await resolveBackend(createCPUBackend({ prefer: [flavor] }));
      if (flavor === 'native' && !capabilities.description.includes('native')) unavailable = `native kernels unavailable (${capabilities.description})`;
      const before = tf.memory().numTensors;
      return () => expect(tf.memory().numTensors).toBe(before);
    };

    for (const activation of ['gelu_new', 'gelu'] as const) {
      it(`GELU (${activation}): same value and dx as autodiff, odd shapes; the tape keeps only x`, async (ctx) => {
        const noLeak = await use();
        if (unavailable) return ctx.skip(unavailable);
        for (const shape of [[3, 7, 13], [1, 5], [2, 1, 97]]) {
          const x = tf.randomNormal(shape, 0, 2, 'float32', shape.length);
          const ours = run((t) => opPathGelu(t, activation), [x]);
          const reference = run((t) => referenceGelu(t, activation), [x]);
          expectSameFloats(ours.values, reference.values, ['value', 'dx']);
          // The saved clone of x (tf.memory counts it once more); autodiff keeps 5 (erf) or 8 (tanh) x-sized tensors.
          expect(ours.keptBytes).toBe(bytes(shape));
          expect(reference.keptBytes).toBeGreaterThanOrEqual((activation === 'gelu' ? 5 : 8) * bytes(shape));
          x.dispose();
        }
        noLeak();
      });
    }

    it('layer norm: same value, dx, dweight, dbias as autodiff, with x also on a residual branch; the tape keeps only x, weight, bias', async (ctx) => {
      const noLeak = await use();
      if (unavailable) return ctx.skip(unavailable);
      for (const shape of [[2, 7, 13], [5, 64], [1, 3, 1, 9]]) {
        const channels = shape[shape.length - 1] as number;
        const x = tf.randomNormal(shape, 0.3, 2, 'float32', shape.length);
        const weight = tf.randomNormal([channels], 1, 0.2, 'float32', 8);
        const bias = tf.randomNormal([channels], 0, 0.2, 'float32', 9);
        // x's residual branch is later on the tape, so its gradient reaches x first (as in a block):
        // the layer norm's two partials must be added to it one at a time, in autodiff's order.
        const withResidual = (norm: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (t: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(norm(t, w, b), tf.mul(t, 1.7));
        const ours = run(withResidual((t, w, b) => opPathLayerNorm(t, w, b, 1e-5)), [x, weight, bias]);
        const reference = run(withResidual((t, w, b) => referenceLayerNorm(t, { weight: w, bias: b }, 1e-5)), [x, weight, bias]);
        expectSameFloats(ours.values, reference.values, ['value', 'dx', 'dweight', 'dbias']);
        // Saved: x, weight, bias (and, on both sides, the residual mul's x and 1.7 and the add's two
        // inputs); autodiff keeps at least 5 more x-sized tensors.
        const residual = 3 * bytes(shape) + 4;
        expect(ours.keptBytes).toBe(residual + bytes(shape) + 2 * bytes([channels]));
        expect(reference.keptBytes - residual).toBeGreaterThanOrEqual(5 * bytes(shape));
        tf.dispose([x, weight, bias]);
      }
      noLeak();
    });

    const cases = [
      { name: 'causal mask [1, 1, T, T]', b: 2, h: 3, t: 9, s: 9, d: 5, mask: 'causal' },
      { name: 'padded per-row mask [B, 1, T, S]', b: 2, h: 3, t: 7, s: 7, d: 4, mask: 'rows' },
      { name: 'prefix keys (S = P + T)', b: 2, h: 2, t: 5, s: 8, d: 3, mask: 'causal' },
      { name: 'one cached query (T = 1)', b: 3, h: 2, t: 1, s: 6, d: 7, mask: 'causal' },
    ] as const;
    for (const c of cases) {
      for (const dropoutRate of [0, 0.1]) {
        it(`attention, ${c.name}, dropout ${dropoutRate}: same value, dq, dk, dv as autodiff; no [B, H, T, S] tensor on the tape`, async (ctx) => {
          const noLeak = await use();
          if (unavailable) return ctx.skip(unavailable);
          const q = tf.randomNormal([c.b, c.h, c.t, c.d], 0, 1, 'float32', 1);
          const k = tf.randomNormal([c.b, c.h, c.s, c.d], 0, 1, 'float32', 2);
          const v = tf.randomNormal([c.b, c.h, c.s, c.d], 0, 1, 'float32', 3);
          const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([c.t, c.s]), -1, c.s - c.t)), -1e9));
          const rows = c.mask === 'rows' ? tf.tidy(() => tf.mul(tf.sub(1, tf.tensor2d([[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]])), -1e9)) : undefined;
          const mask = tf.tidy(() => (rows ? tf.add(tf.reshape(causal, [1, 1, c.t, c.s]), tf.reshape(rows, [c.b, 1, 1, c.s])) : tf.reshape(causal, [1, 1, c.t, c.s]))) as tf.Tensor4D;
          const settings = { scale: 1 / Math.sqrt(c.d) / 3, dropoutRate, seed: 42 };
          const ours = run((a, b, d) => opPathAttention(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, mask, settings), [q, k, v]);
          const reference = run((a, b, d) => referenceAttention(a as tf.Tensor, b as tf.Tensor, d as tf.Tensor, mask, settings), [q, k, v]);
          expectSameFloats(ours.values, reference.values, ['value', 'dq', 'dk', 'dv']);
          const scores = bytes([c.b, c.h, c.t, c.s]);
          // Saved clones of q, k, v and the mask only; autodiff keeps scores, scaled and masked scores, probabilities (and the dropout mask and result).
          expect(ours.keptBytes).toBe(bytes(q.shape) + 2 * bytes(k.shape) + bytes(mask.shape));
          expect(reference.keptBytes).toBeGreaterThanOrEqual((dropoutRate > 0 ? 5 : 3) * scores);
          tf.dispose([q, k, v, causal, mask, ...(rows ? [rows] : [])]);
          noLeak();
        });
      }
    }

    it('dropout: same value and dx as tf.dropout (or the native mask); the tape keeps only the mask, or nothing with the one-pass kernel', async (ctx) => {
      const noLeak = await use();
      if (unavailable) return ctx.skip(unavailable);
      const shape = [3, 5, 11];
      const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const context = () => ({ training: true, nextSeed: () => 7 });
      const ours = run((t) => dropout(t, 0.25, context()), [x]);
      const reference = run((t) => referenceDropout(t, 0.25, context()), [x]);
      expectSameFloats(ours.values, reference.values, ['value', 'dx']);
      // TunekitDropout regenerates the mask from the seed in the backward (native flavour); the op path keeps it.
      expect(ours.keptBytes).toBe(flavor === 'native' ? 0 : bytes(shape));
      expect(tf.getKernel(TunekitDropout, tf.getBackend()) !== undefined).toBe(flavor === 'native');
      expect(reference.keptBytes).toBeGreaterThanOrEqual(2 * bytes(shape)); // x and the mask (tf.dropout also its noise)
      x.dispose();
      noLeak();
    });

    it('residualDropoutAdd: same value and gradients as residualAdd of dropout, the same seeds drawn; keeps nothing with the one-pass kernel', async (ctx) => {
      const noLeak = await use();
      if (unavailable) return ctx.skip(unavailable);
      const shape = [2, 7, 13];
      const residual = tf.randomNormal(shape, 0, 1, 'float32', 8);
      const branch = tf.randomNormal(shape, 0, 1, 'float32', 9);
      // Each context draws 7 then 8: the fused and the composed forms must consume the same seeds in the same order.
      const context = () => {
        const seeds = [7, 8];
        return { training: true, nextSeed: () => seeds.shift() as number };
      };
      const ours = run((r, b) => {
        const c = context();
        return residualDropoutAdd(residualDropoutAdd(r, b, 0.2, c), b, 0.3, c);
      }, [residual, branch]);
      const reference = run((r, b) => {
        const c = context();
        return residualAdd(residualAdd(r, referenceDropout(b, 0.2, c)), referenceDropout(b, 0.3, c));
      }, [residual, branch]);
      expectSameFloats(ours.values, reference.values, ['value', 'dresidual', 'dbranch']);
      expect(ours.keptBytes).toBe(flavor === 'native' ? 0 : 2 * bytes(shape)); // two masks on the op path
      // Outside training it is the plain residual add and draws no seed.
      const evalOut = tf.tidy(() => tf.sub(residualDropoutAdd(residual, branch, 0.2, { training: false, nextSeed: () => { throw new Error('no seed outside training'); } }), tf.add(residual, branch)));
      expect(Math.max(...Array.from(evalOut.dataSync(), Math.abs))).toBe(0);
      evalOut.dispose();
      tf.dispose([residual, branch]);
      noLeak();
    });
  });
}
