// tunekit's own gradients (packages/core/src/tf/gradients), kernel by kernel:
// each against central finite differences of Σ y·dy (float64 sums) and against
// tfjs-core's own gradient for the same kernel (its ESM modules load under
// vitest, not in plain Node), on odd shapes, broadcasting and every attribute
// form training uses. Also: importing core registered exactly these, once.
import * as tf from '@tensorflow/tfjs-core';
import { addGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Add_grad';
import { batchMatMulGradConfig } from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad';
import { castGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Cast_grad';
import { concatGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Concat_grad';
import { erfGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Erf_grad';
import { expGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Exp_grad';
import { expandDimsGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ExpandDims_grad';
import { gatherGradConfig } from '@tensorflow/tfjs-core/dist/gradients/GatherV2_grad';
import { identityGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Identity_grad';
import { logGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Log_grad';
import { maxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Max_grad';
import { meanGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Mean_grad';
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad';
import { negGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Neg_grad';
import { packGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Pack_grad';
import { divGradConfig } from '@tensorflow/tfjs-core/dist/gradients/RealDiv_grad';
import { reluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Relu_grad';
import { reshapeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Reshape_grad';
import { rsqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Rsqrt_grad';
import { sliceGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Slice_grad';
import { softmaxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Softmax_grad';
import { softplusGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Softplus_grad';
import { splitVGradConfig } from '@tensorflow/tfjs-core/dist/gradients/SplitV_grad';
import { sqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sqrt_grad';
import { squareGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Square_grad';
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad';
import { sumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sum_grad';
import { tanhGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tanh_grad';
import { tileGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tile_grad';
import { transposeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Transpose_grad';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCPUBackend } from '@tunekit/backend-cpu';
// Importing core registers its gradients, as an app's import does.
import '@tunekit/core';
import { registerTrainingGradients, trainingGradients } from '../src/tf/gradients';

const tfjsGradients: Record<string, tf.GradConfig> = Object.fromEntries(
  [addGradConfig, batchMatMulGradConfig, castGradConfig, concatGradConfig, erfGradConfig, expGradConfig, expandDimsGradConfig, gatherGradConfig, identityGradConfig, logGradConfig, maxGradConfig, meanGradConfig, multiplyGradConfig, negGradConfig, packGradConfig, divGradConfig, reluGradConfig, reshapeGradConfig, rsqrtGradConfig, sliceGradConfig, softmaxGradConfig, softplusGradConfig, splitVGradConfig, sqrtGradConfig, squareGradConfig, subGradConfig, sumGradConfig, tanhGradConfig, tileGradConfig, transposeGradConfig].map((c) => [c.kernelName, c]),
);
const ours = (kernelName: string): tf.GradConfig => trainingGradients.find((c) => c.kernelName === kernelName)!;

/** Deterministic values in [low, high) (a tiny LCG: the test needs no seedable tfjs RNG). */
function values(size: number, seed: number, low = -1.5, high = 1.5): Float32Array {
  let state = seed * 2654435761 + 12345;
  return Float32Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return low + ((high - low) * state) / 2147483648;
  });
}
const size = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
const float = (shape: number[], seed: number, low?: number, high?: number) => tf.tensor(values(size(shape), seed, low, high), shape);

interface Case {
  kernel: string;
  title: string;
  /** Inputs by name (an array for Concat/Pack), float32 unless an index. */
  inputs: () => Record<string, tf.Tensor> | tf.Tensor[];
  attrs?: tf.NamedAttrMap;
  /** Why tfjs's own gradient is not a reference here (finite differences still are). */
  tfjsWrong?: string;
}

const cases: Case[] = [
  { kernel: 'Add', title: '[3,1,5] + [4,1] (both broadcast)', inputs: () => ({ a: float([3, 1, 5], 1), b: float([4, 1], 2) }) },
  { kernel: 'Add', title: '[2,3] + scalar', inputs: () => ({ a: float([2, 3], 3), b: tf.scalar(0.7) }) },
  { kernel: 'Sub', title: '[5] − [3,5]', inputs: () => ({ a: float([5], 4), b: float([3, 5], 5) }) },
  { kernel: 'Multiply', title: '[2,3,5] · [5]', inputs: () => ({ a: float([2, 3, 5], 6), b: float([5], 7) }) },
  { kernel: 'Multiply', title: '[1,4,1] · [3,1,2]', inputs: () => ({ a: float([1, 4, 1], 8), b: float([3, 1, 2], 9) }) },
  { kernel: 'RealDiv', title: '[7] / scalar', inputs: () => ({ a: float([7], 10), b: tf.scalar(1.3) }) },
  { kernel: 'RealDiv', title: '[2,1] / [1,3]', inputs: () => ({ a: float([2, 1], 11), b: float([1, 3], 12, 0.5, 1.5) }) },
  { kernel: 'Neg', title: '[3,4]', inputs: () => ({ x: float([3, 4], 13) }) },
  { kernel: 'Square', title: '[2,5]', inputs: () => ({ x: float([2, 5], 14) }) },
  { kernel: 'Sqrt', title: '[6]', inputs: () => ({ x: float([6], 15, 0.3, 2) }) },
  { kernel: 'Rsqrt', title: '[3,1]', inputs: () => ({ x: float([3, 1], 16, 0.3, 2) }) },
  { kernel: 'Exp', title: '[2,3]', inputs: () => ({ x: float([2, 3], 17) }) },
  { kernel: 'Log', title: '[5]', inputs: () => ({ x: float([5], 18, 0.3, 2) }) },
  { kernel: 'Tanh', title: '[4,3]', inputs: () => ({ x: float([4, 3], 19) }) },
  { kernel: 'Softplus', title: '[7]', inputs: () => ({ x: float([7], 20, -4, 4) }) },
  // Away from the kink at 0, where finite differences straddle it.
  { kernel: 'Relu', title: '[9], |x| ≥ 0.2', inputs: () => ({ x: tf.tensor(Array.from(values(9, 21), (v) => (v < 0 ? v - 0.2 : v + 0.2))) }) },
  { kernel: 'Erf', title: '[6]', inputs: () => ({ x: float([6], 22) }) },
  { kernel: 'Softmax', title: '[2,3,5], dim 2', inputs: () => ({ logits: float([2, 3, 5], 23, -3, 3) }), attrs: { dim: 2 } },
  { kernel: 'Sum', title: '[3,4,5] over [0,2]', inputs: () => ({ x: float([3, 4, 5], 24) }), attrs: { axis: [0, 2], keepDims: false } },
  { kernel: 'Sum', title: '[4,3] over −1, kept', inputs: () => ({ x: float([4, 3], 25) }), attrs: { axis: -1, keepDims: true } },
  { kernel: 'Sum', title: '[2,3] over all (axis null)', inputs: () => ({ x: float([2, 3], 26) }), attrs: { axis: null as unknown as number, keepDims: false } },
  { kernel: 'Mean', title: '[3,4,5] over [1]', inputs: () => ({ x: float([3, 4, 5], 27) }), attrs: { axis: [1], keepDims: false } },
  { kernel: 'Mean', title: '[2,7,3] over −1, kept', inputs: () => ({ x: float([2, 7, 3], 28) }), attrs: { axis: -1, keepDims: true } },
  { kernel: 'Max', title: '[4,6] over [1], kept', inputs: () => ({ x: float([4, 6], 29) }), attrs: { reductionIndices: [1], keepDims: true } },
  { kernel: 'Max', title: '[2,3,4] over [0,2]', inputs: () => ({ x: float([2, 3, 4], 30) }), attrs: { reductionIndices: [0, 2], keepDims: false } },
  { kernel: 'Reshape', title: '[2,6] → [3,4]', inputs: () => ({ x: float([2, 6], 31) }), attrs: { shape: [3, 4] } },
  { kernel: 'ExpandDims', title: '[4,3] at 0', inputs: () => ({ input: float([4, 3], 56) }), attrs: { dim: 0 } },
  { kernel: 'ExpandDims', title: '[2,5] at −1', inputs: () => ({ input: float([2, 5], 57) }), attrs: { dim: -1 } },
  { kernel: 'Transpose', title: '[2,3,4] perm [2,0,1]', inputs: () => ({ x: float([2, 3, 4], 32) }), attrs: { perm: [2, 0, 1] } },
  { kernel: 'Slice', title: '[4,5,6] begin [1,0,2] size [2,−1,3]', inputs: () => ({ x: float([4, 5, 6], 33) }), attrs: { begin: [1, 0, 2], size: [2, -1, 3] } },
  { kernel: 'Slice', title: '[5,3] begin 1 size 2 (numbers)', inputs: () => ({ x: float([5, 3], 34) }), attrs: { begin: 1, size: 2 } },
  { kernel: 'SplitV', title: '[3,10] into [2,5,3] along 1', inputs: () => ({ x: float([3, 10], 35) }), attrs: { numOrSizeSplits: [2, 5, 3], axis: 1 } },
  { kernel: 'SplitV', title: '[4,3] into 2 along −2', inputs: () => ({ x: float([4, 3], 36) }), attrs: { numOrSizeSplits: 2, axis: -2 } },
  { kernel: 'Concat', title: '[2,3] ‖ [2,1] ‖ [2,4] along −1', inputs: () => [float([2, 3], 37), float([2, 1], 38), float([2, 4], 39)], attrs: { axis: -1 } },
  { kernel: 'Pack', title: 'two [3,2] along 1', inputs: () => [float([3, 2], 40), float([3, 2], 41)], attrs: { axis: 1 } },
  { kernel: 'Tile', title: '[2,3] × [2,3]', inputs: () => ({ x: float([2, 3], 42) }), attrs: { reps: [2, 3] } },
  { kernel: 'Tile', title: '[1,4,1] × [3,1,2]', inputs: () => ({ x: float([1, 4, 1], 43) }), attrs: { reps: [3, 1, 2] } },
  { kernel: 'GatherV2', title: '[6,4] rows [0,2,2,5,0] (repeats add up)', inputs: () => ({ x: float([6, 4], 44), indices: tf.tensor1d([0, 2, 2, 5, 0], 'int32') }), attrs: { axis: 0, batchDims: 0 } },
  { kernel: 'GatherV2', title: '[5,3] rows [[1,4],[4,0]] (ids [B, T], as the embeddings gather)', inputs: () => ({ x: float([5, 3], 46), indices: tf.tensor2d([[1, 4], [4, 0]], [2, 2], 'int32') }), attrs: { axis: 0, batchDims: 0 } },
  { kernel: 'GatherV2', title: '[3,5,2] indices [[1,4],[4,0]] along 1', inputs: () => ({ x: float([3, 5, 2], 45), indices: tf.tensor2d([[1, 4], [4, 0]], [2, 2], 'int32') }), attrs: { axis: 1, batchDims: 0 } },
  { kernel: 'Identity', title: '[3]', inputs: () => ({ x: float([3], 46) }) },
  { kernel: 'Cast', title: 'float32 → float32 [4]', inputs: () => ({ x: float([4], 47) }), attrs: { dtype: 'float32' } },
  { kernel: 'BatchMatMul', title: '[3,4]·[4,5]', inputs: () => ({ a: float([3, 4], 48), b: float([4, 5], 49) }), attrs: { transposeA: false, transposeB: false } },
  { kernel: 'BatchMatMul', title: '[2,5,4]ᵀ·[2,5,3]', inputs: () => ({ a: float([2, 5, 4], 50), b: float([2, 5, 3], 51) }), attrs: { transposeA: true, transposeB: false } },
  { kernel: 'BatchMatMul', title: '[2,3,4]·[6,4]ᵀ (b broadcast over the batch)', inputs: () => ({ a: float([2, 3, 4], 52), b: float([6, 4], 53) }), attrs: { transposeA: false, transposeB: true }, tfjsWrong: 'tfjs 4.22 returns b a gradient of shape [2,6,4]: it does not sum over broadcast batch axes' },
  { kernel: 'BatchMatMul', title: '[1,4,3]ᵀ·[3,5,4]ᵀ (batch 1 against 3)', inputs: () => ({ a: float([1, 4, 3], 54), b: float([3, 5, 4], 55) }), attrs: { transposeA: true, transposeB: true }, tfjsWrong: 'tfjs 4.22 returns a a gradient of shape [3,4,3]: it does not sum over broadcast batch axes' },
];

function outputsOf(c: Case, inputs: Record<string, tf.Tensor> | tf.Tensor[]): tf.Tensor[] {
  const out = tf.engine().runKernel(c.kernel, inputs as unknown as tf.NamedTensorMap, c.attrs ?? {});
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}

/** What the engine would save for `config` and hand to its gradFunc. */
function savedFor(config: tf.GradConfig, inputs: Record<string, tf.Tensor> | tf.Tensor[], outputs: tf.Tensor[]): tf.Tensor[] {
  const named = inputs as Record<string, tf.Tensor>;
  const fromInputs = config.saveAllInputs ? Object.keys(named).map((k) => named[k]!) : (config.inputsToSave ?? []).map((k) => named[k]!);
  return [...fromInputs, ...outputs.filter((_, i) => config.outputsToSave?.[i])];
}

/** The gradient of each float input under `config`, as plain arrays. */
function gradientsBy(config: tf.GradConfig, c: Case, inputs: Record<string, tf.Tensor> | tf.Tensor[], dys: tf.Tensor[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const outputs = outputsOf(c, inputs);
    const grads = config.gradFunc(dys.length > 1 ? dys : dys[0]!, savedFor(config, inputs, outputs), c.attrs ?? {}) as Record<string, () => tf.Tensor>;
    const result: Record<string, Float32Array> = {};
    for (const [name, input] of Object.entries(inputs)) {
      if (input.dtype !== 'float32') continue;
      const dx = grads[name]!();
      expect(dx.shape, `${name}'s gradient has its shape`).toEqual(input.shape);
      expect(dx.dtype).toBe('float32');
      result[name] = dx.dataSync() as Float32Array;
    }
    return result;
  });
}

/** Σ y·dy over every output, summed in float64. */
function objective(c: Case, inputs: Record<string, tf.Tensor> | tf.Tensor[], dys: Float32Array[]): number {
  const outputs = outputsOf(c, inputs);
  let total = 0;
  outputs.forEach((y, k) => y.dataSync().forEach((v, i) => (total += v * dys[k]![i]!)));
  tf.dispose(outputs);
  return total;
}

beforeAll(async () => {
  await createCPUBackend({ prefer: ['cpu'] }).doInit();
});

describe('registration', () => {
  it("importing core registered tunekit's gradient for every kernel in the list, into the installed tfjs-core", () => {
    for (const config of trainingGradients) expect(tf.getGradient(config.kernelName), config.kernelName).toBe(config);
  });
  it('registers nothing a second time (one gradient per kernel, no override warnings)', () => {
    expect(registerTrainingGradients()).toEqual([]);
  });
  it('every gradient is tested below', () => {
    expect(new Set(cases.map((c) => c.kernel))).toEqual(new Set(trainingGradients.map((c) => c.kernelName)));
  });
});

describe.each(cases)('$kernel $title', (c) => {
  it('matches central finite differences and tfjs-core’s own gradient', () => {
    const baseline = tf.memory().numTensors;
    const inputs = c.inputs();
    const outputs = tf.tidy(() => outputsOf(c, inputs));
    const dys = outputs.map((y, k) => float(y.shape, 100 + k));
    const dyValues = dys.map((d) => d.dataSync() as Float32Array);
    tf.dispose(outputs);

    const analytic = gradientsBy(ours(c.kernel), c, inputs, dys);
    const reference = c.tfjsWrong ? undefined : gradientsBy(tfjsGradients[c.kernel]!, c, inputs, dys);
    for (const [name, grad] of Object.entries(analytic)) {
      const expected = reference?.[name];
      if (expected) grad.forEach((g, i) => expect(Math.abs(g - expected[i]!), `${name}[${i}] against tfjs`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(expected[i]!))));

      // Central differences on every element (the tensors are small).
      const eps = 1e-2;
      const input = (inputs as Record<string, tf.Tensor>)[name]!;
      const base = input.dataSync().slice() as Float32Array;
      for (let i = 0; i < base.length; i++) {
        const shifted = (delta: number) => {
          const moved = base.slice();
          moved[i] = moved[i]! + delta;
          const t = tf.tensor(moved, input.shape);
          const copy: Record<string, tf.Tensor> | tf.Tensor[] = Array.isArray(inputs) ? [...inputs] : { ...inputs };
          (copy as Record<string, tf.Tensor>)[name] = t;
          const value = objective(c, copy, dyValues);
          t.dispose();
          return value;
        };
        const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
        expect(Math.abs(grad[i]! - numeric), `${name}[${i}]: ${grad[i]} against finite difference ${numeric}`).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(numeric)));
      }
    }
    tf.dispose([...Object.values(inputs), ...dys]);
    expect(tf.memory().numTensors, 'no tensor left behind').toBe(baseline);
  });
});
