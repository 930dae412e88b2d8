/**
 * Native versions of the non-matmul kernels that dominate a GPT-2 step once
 * matMul is fast: broadcasting binary ops (bias adds, layer-norm centring,
 * the attention mask), unary math, reductions over contiguous axes, softmax
 * over the last axis, and transpose. tfjs's pure-JS kernels walk broadcast
 * and transposed indices element by element (an allocation per element in
 * the broadcast path); these run on raw memory on the thread pool.
 *
 * float32 only: anything else (int32, bool, complex, unusual axes) goes to
 * the stock kernel unchanged.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  Add, Concat, Exp, Floor, type KernelFunc, Log, Max, Mean, Multiply, Neg, RealDiv, Reciprocal, Rsqrt, Slice, Softmax, SplitV, Sqrt, Square, Sub, Sum, Tanh,
  type TensorInfo, Transpose, backend_util, slice_util, util,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native/addon-types';
import { broadcastStrides } from './batch-index';
import { float32Values, makeOutput, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';
import { outputArray, zeroedOutputArray } from './reusable-arrays';

const MAX_RANK = 8;

/**
 * The broadcast as the fewest dims: size-1 dims are dropped and neighbours
 * merged where both operands stay linear across them, so a bias add becomes
 * [rows, cols] and a same-shape op a single flat run.
 */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): { outShape: number[]; plan: Int32Array } | undefined {
  const outShape = backend_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const aStrides = broadcastStrides(aShape, outShape);
  const bStrides = broadcastStrides(bShape, outShape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    const size = outShape[d] as number;
    if (size === 1) continue;
    const last = dims.length - 1;
    // Merge d into the previous kept dim when both operands step linearly across the pair.
    if (last >= 0 && as[last] === (aStrides[d] as number) * size && bs[last] === (bStrides[d] as number) * size) {
      dims[last] = (dims[last] as number) * size;
      as[last] = aStrides[d] as number;
      bs[last] = bStrides[d] as number;
    } else {
      dims.push(size);
      as.push(aStrides[d] as number);
      bs.push(bStrides[d] as number);
    }
  }
  if (dims.length > MAX_RANK) return undefined;
  return { outShape, plan: Int32Array.from([dims.length, ...dims, ...as, ...bs]) };
}

const BINARY_OPS: Array<[string, number]> = [[Add, 0], [Sub, 1], [Multiply, 2], [RealDiv, 3]];

function binaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    create(addon, stock): KernelFunc {
      return (args) => {
        const backend = args.backend as MathBackendCPU;
        const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
        const aValues = float32Values(backend, a);
        const bValues = float32Values(backend, b);
        if (!aValues || !bValues) return stock(args);
        const plan = broadcastPlan(a.shape, b.shape);
        if (!plan) return stock(args);
        const out = outputArray(sizeOf(plan.outShape));
        addon.binary(op, aValues, bValues, out, plan.plan);
        return makeOutput(backend, plan.outShape, out);
      };
    },
  };
}

const UNARY_OPS: Array<[string, number]> = [[Exp, 0], [Tanh, 1], [Rsqrt, 2], [Square, 3], [Neg, 4], [Sqrt, 5], [Log, 6], [Reciprocal, 7], [Floor, 8]];

function unaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    create(addon, stock): KernelFunc {
      return (args) => {
        const backend = args.backend as MathBackendCPU;
        const { x } = args.inputs as { x: TensorInfo };
        const values = float32Values(backend, x);
        if (!values) return stock(args);
        const out = outputArray(values.length);
        addon.unary(op, values, out);
        return makeOutput(backend, [...x.shape], out);
      };
    },
  };
}

/** Reduced axes as [outer, reduce, inner] when they are contiguous, else undefined. */
export function reductionPlan(shape: readonly number[], axis: number | number[]): { outer: number; reduce: number; inner: number; axes: number[] } | undefined {
  const axes = util.parseAxisParam(axis, shape as number[]).sort((x, y) => x - y);
  if (axes.length === 0) return undefined;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== (axes[i - 1] as number) + 1) return undefined;
  const first = axes[0] as number;
  const last = axes[axes.length - 1] as number;
  return { outer: sizeOf(shape.slice(0, first)), reduce: sizeOf(shape.slice(first, last + 1)), inner: sizeOf(shape.slice(last + 1)), axes };
}

const REDUCE_OPS: Array<[string, number]> = [[Sum, 0], [Max, 1], [Mean, 2]];

function reduceKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    create(addon, stock): KernelFunc {
      return (args) => {
        const backend = args.backend as MathBackendCPU;
        const { x } = args.inputs as { x: TensorInfo };
        // Max names its axes `reductionIndices`; Sum and Mean `axis`.
        const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
        const axis = attrs.axis ?? attrs.reductionIndices ?? [];
        const keepDims = attrs.keepDims;
        const values = float32Values(backend, x);
        const plan = values ? reductionPlan(x.shape, axis) : undefined;
        if (!values || !plan || plan.reduce === 0) return stock(args);
        const out = zeroedOutputArray(plan.outer * plan.inner);
        addon.reduce(op, values, out, plan.outer, plan.reduce, plan.inner);
        const shape = keepDims ? x.shape.map((d, i) => (plan.axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !plan.axes.includes(i));
        return makeOutput(backend, shape, out);
      };
    },
  };
}

const softmaxKernel: NativeKernel = {
  kernelName: Softmax,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { logits } = args.inputs as { logits: TensorInfo };
      const { dim } = args.attrs as unknown as { dim: number };
      const rank = logits.shape.length;
      const values = float32Values(backend, logits);
      if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return stock(args);
      const cols = logits.shape[rank - 1] as number;
      if (cols === 0) return stock(args);
      const out = outputArray(values.length);
      addon.softmax(values, out, values.length / cols, cols);
      return makeOutput(backend, [...logits.shape], out);
    };
  },
};

const transposeKernel: NativeKernel = {
  kernelName: Transpose,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x } = args.inputs as { x: TensorInfo };
      const { perm } = args.attrs as unknown as { perm: number[] };
      const values = float32Values(backend, x);
      if (!values || x.shape.length === 0 || x.shape.length > MAX_RANK || perm.length !== x.shape.length) return stock(args);
      const out = outputArray(values.length);
      addon.transpose(values, out, Int32Array.from(x.shape), Int32Array.from(perm));
      return makeOutput(backend, perm.map((p) => x.shape[p] as number), out);
    };
  },
};

/** The box [begin, begin + size) of x, natively. */
function sliceBox(addon: NativeAddon, backend: MathBackendCPU, x: TensorInfo, values: Float32Array, begin: number[], size: number[]): TensorInfo {
  const out = outputArray(sizeOf(size));
  if (out.length > 0) addon.slice(values, out, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size));
  return makeOutput(backend, size, out);
}

const sliceKernel: NativeKernel = {
  kernelName: Slice,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x } = args.inputs as { x: TensorInfo };
      const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
      const values = float32Values(backend, x);
      if (!values || x.shape.length === 0 || x.shape.length > MAX_RANK) return stock(args);
      const [begin_, size_] = slice_util.parseSliceParams(x as unknown as Parameters<typeof slice_util.parseSliceParams>[0], begin, size);
      slice_util.assertParamsValid(x as unknown as Parameters<typeof slice_util.assertParamsValid>[0], begin_, size_);
      return sliceBox(addon, backend, x, values, begin_, size_);
    };
  },
};

const splitVKernel: NativeKernel = {
  kernelName: SplitV,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x } = args.inputs as { x: TensorInfo };
      const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
      const values = float32Values(backend, x);
      if (!values || x.shape.length === 0 || x.shape.length > MAX_RANK) return stock(args);
      const $axis = util.parseAxisParam(axis, x.shape)[0] as number;
      const splitSizes = backend_util.prepareSplitSize(x as unknown as Parameters<typeof backend_util.prepareSplitSize>[0], numOrSizeSplits, $axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return splitSizes.map((s) => {
        const size = [...x.shape];
        size[$axis] = s;
        const part = sliceBox(addon, backend, x, values, [...begin], size);
        begin[$axis] = (begin[$axis] as number) + s;
        return part;
      });
    };
  },
};

/**
 * Concat of float32 tensors as row copies (`TypedArray.set`, a memcpy): each
 * input is [outer, inner_i] around the axis. The KV cache grows by one
 * concat per layer and token, and split's gradient is a concat.
 */
const concatKernel: NativeKernel = {
  kernelName: Concat,
  create(_addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const inputs = args.inputs as unknown as TensorInfo[];
      const { axis } = args.attrs as unknown as { axis: number };
      if (inputs.length === 0) return stock(args);
      const first = inputs[0] as TensorInfo;
      const rank = first.shape.length;
      if (rank === 0) return stock(args);
      const $axis = util.parseAxisParam(axis, first.shape)[0] as number;
      const values = inputs.map((t) => float32Values(backend, t));
      if (values.some((v) => !v) || inputs.some((t) => t.shape.length !== rank || t.shape.some((d, i) => i !== $axis && d !== first.shape[i]))) return stock(args);
      const outShape = [...first.shape];
      outShape[$axis] = inputs.reduce((n, t) => n + (t.shape[$axis] as number), 0);
      const outer = sizeOf(first.shape.slice(0, $axis));
      const inners = inputs.map((t) => sizeOf(t.shape.slice($axis)));
      const rowSize = inners.reduce((x, y) => x + y, 0);
      const out = outputArray(outer * rowSize);
      let offset = 0;
      inputs.forEach((_, i) => {
        const src = values[i] as Float32Array;
        const inner = inners[i] as number;
        if (outer === 1) out.set(src.subarray(0, inner), offset);
        else for (let o = 0; o < outer; o++) out.set(src.subarray(o * inner, (o + 1) * inner), o * rowSize + offset);
        offset += inner;
      });
      return makeOutput(backend, outShape, out);
    };
  },
};

export const ELEMENTWISE_KERNELS: readonly NativeKernel[] = [
  ...BINARY_OPS.map(([name, op]) => binaryKernel(name, op)),
  ...UNARY_OPS.map(([name, op]) => unaryKernel(name, op)),
  ...REDUCE_OPS.map(([name, op]) => reduceKernel(name, op)),
  softmaxKernel,
  transposeKernel,
  sliceKernel,
  splitVKernel,
  concatKernel,
];
