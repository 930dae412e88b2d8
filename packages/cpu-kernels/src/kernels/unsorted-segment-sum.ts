/**
 * `UnsortedSegmentSum` — the gradient of gather (the embedding lookup) — as
 * a direct scatter-add, O(rows × C). The stock cpu kernel builds one mask
 * per segment, O(segments × rows × C): hours for GPT-2's 50257-row table.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { zeroedOutputArray } from './reusable-arrays';
import { type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs, UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import { float32Values, int32Values, makeOutput, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

export const unsortedSegmentSumKernel: NativeKernel = {
  kernelName: UnsortedSegmentSum,
  create(addon, stock): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
      const xValues = float32Values(backend, x);
      const ids = int32Values(backend, segmentIds);
      const idsRank = segmentIds.shape.length;
      const prefixMatches = segmentIds.shape.every((d, i) => x.shape[i] === d);
      if (!xValues || !ids || idsRank > x.shape.length || !prefixMatches) return stock(args);
      const innerShape = x.shape.slice(idsRank);
      const inner = sizeOf(innerShape);
      const out = zeroedOutputArray(numSegments * inner);
      addon.scatterAdd(xValues, ids, numSegments, inner, out);
      return makeOutput(backend, [numSegments, ...innerShape], out);
    };
  },
};
