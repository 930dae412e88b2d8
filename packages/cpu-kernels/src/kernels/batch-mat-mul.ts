/**
 * `BatchMatMul` on the native packed GEMM: every transpose combination is
 * handled by the packing (no transposed copy is made), and batch dims
 * broadcast like tfjs's matMul op.
 *
 * One deliberate difference from the stock cpu kernel: stock maps output
 * batch `i` to operand batch `i % batchSize`, which is only right when one
 * side's batch is 1 or both are equal; for shapes such as [3,1,m,k] ×
 * [1,2,k,n] we broadcast properly (as tfjs's gradient and other backends
 * assume). Where stock is right, results agree.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BatchMatMul, type BatchMatMulAttrs, type KernelFunc, type TensorInfo, broadcast_util, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native/addon-types';
import { batchIndex } from './batch-index';
import { float32Values, makeOutput, sizeOf } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import type { NativeKernel } from './native-kernel';

/** a · b (with optional transposes) natively, or undefined when the inputs are not plain float32 of rank ≥ 2. */
export function nativeMatMul(addon: NativeAddon, backend: MathBackendCPU, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | undefined {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aRank < 2 || bRank < 2) return undefined;
  const aValues = float32Values(backend, a);
  const bValues = float32Values(backend, b);
  if (!aValues || !bValues) return undefined;

  const innerA = (transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1]) as number;
  const innerB = (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2]) as number;
  const m = (transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2]) as number;
  const n = (transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1]) as number;
  // Same checks and messages as the stock kernel.
  const outerDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  util.assert(innerA === innerB, () =>
    `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);

  const batch = sizeOf(outerDims);
  const out = outputArray(batch * m * n);
  addon.matmul(
    aValues, bValues, out, batch, m, n, innerA, transposeA, transposeB,
    batchIndex(a.shape.slice(0, -2), outerDims), batchIndex(b.shape.slice(0, -2), outerDims),
  );
  return makeOutput(backend, [...outerDims, m, n], out);
}

export const batchMatMulKernel: NativeKernel = {
  kernelName: BatchMatMul,
  create(addon, stock): KernelFunc {
    return (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      return nativeMatMul(addon, args.backend as MathBackendCPU, a, b, transposeA, transposeB) ?? stock(args);
    };
  },
};
