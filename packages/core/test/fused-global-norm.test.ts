// The global gradient norm on the fused TunekitSumOfSquares kernel against
// its op path (Square + Sum per gradient, AddN, Sqrt), and gradient clipping
// folded into AdamW (options.gradientScale) against clipping first
// (clipByGlobalNorm) — on the fused TunekitAdamW and on AdamW's op path.
// Both must give the same bits: the trainer's numbers are unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TunekitAdamW, TunekitSumOfSquares as SUM_OF_SQUARES } from '@tunekit/backend-spec';
import { AdamW, clipByGlobalNorm, globalNorm } from '@tunekit/core';
import { clipCoefficient } from '../src/train/clip';
import { readAll, useNativeBackend, withoutKernels } from './fused-kernel-support';

let skip: string | undefined;
beforeAll(async () => {
  skip = await useNativeBackend();
});

/** Gradients shaped like a small GPT-2's (odd sizes, a scalar, an empty one), seeded. */
function gradients(seed: number, scale: number): Map<string, tf.Tensor> {
  const shapes: number[][] = [[101, 48], [48], [48, 144], [144], [2, 3, 5], [], [0], [1001, 7]];
  return new Map(shapes.map((shape, i) => [`g${i}`, tf.tidy(() => tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed + i), scale))]));
}

describe(`fused global norm (${SUM_OF_SQUARES})`, () => {
  for (const scale of [1e-3, 1, 40]) {
    it(`gives the op path's bits (gradients up to ±${scale})`, async (ctx) => {
      if (skip) return ctx.skip(skip);
      const grads = gradients(7, scale);
      const before = tf.memory().numTensors;
      const fused = await globalNorm(grads.values());
      expect(tf.memory().numTensors).toBe(before);
      const opPath = await withoutKernels([SUM_OF_SQUARES], () => globalNorm(grads.values()));
      expect(fused).toBe(opPath);
      expect(fused).toBeGreaterThan(0);
      tf.dispose([...grads.values()]);
    });
  }
});

describe('gradient clipping folded into AdamW (gradientScale)', () => {
  for (const fusedAdamW of [true, false]) {
    it(`gives the bits of clipByGlobalNorm then apply (${fusedAdamW ? `fused ${TunekitAdamW}` : 'AdamW op path'})`, async (ctx) => {
      if (skip) return ctx.skip(skip);
      const run = (clipFirst: boolean): Promise<Float32Array[]> => {
        const step = async (): Promise<Float32Array[]> => {
          const initial = gradients(3, 1);
          const variables = new Map([...initial].map(([name, value]) => [name, tf.variable(value)] as const));
          tf.dispose([...initial.values()]);
          const optimizer = new AdamW(variables, { weightDecay: 0.1 });
          for (const seed of [11, 12]) {
            const grads = gradients(seed, 2);
            const norm = await globalNorm(grads.values());
            const coefficient = clipCoefficient(norm, 0.5);
            expect(coefficient).toBeLessThan(1); // clipping is active
            if (clipFirst) {
              const clipped = clipByGlobalNorm(grads, norm, 0.5);
              optimizer.apply(clipped, 1e-2);
              tf.dispose([...clipped.values()]);
            } else {
              optimizer.apply(grads, 1e-2, { gradientScale: coefficient });
              tf.dispose([...grads.values()]);
            }
          }
          const out = readAll([...variables.values()].map((v) => v.clone()));
          optimizer.dispose();
          tf.dispose([...variables.values()]);
          return out;
        };
        return fusedAdamW ? step() : withoutKernels([TunekitAdamW], step);
      };
      const before = tf.memory().numTensors;
      const folded = await run(false);
      const clippedFirst = await run(true);
      expect(tf.memory().numTensors).toBe(before);
      folded.forEach((values, i) => expect([...values], `variable ${i}`).toEqual([...(clippedFirst[i] as Float32Array)]));
    });
  }

  it('refuses a factor outside (0, 1]', () => {
    const variables = new Map([['w', tf.variable(tf.zeros([2]))]]);
    const optimizer = new AdamW(variables);
    const grads = new Map([['w', tf.ones([2])]]);
    expect(() => optimizer.apply(grads, 1e-3, { gradientScale: 2 })).toThrow(/gradientScale/);
    optimizer.dispose();
    tf.dispose([...grads.values(), ...variables.values()]);
  });
});
