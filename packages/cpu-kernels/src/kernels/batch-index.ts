/** tfjs's broadcasting as the addon takes it: aligned strides (binary ops) and batch index arrays (BatchMatMul). */
import { sizeOf } from './cpu-tensors';

/** Row-major strides of `shape` aligned to the output's rank, 0 where the operand broadcasts. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const offset = outShape.length - shape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    strides[d + offset] = size === 1 ? 0 : stride;
    stride *= size;
  }
  return strides;
}

/**
 * For each output batch (row-major over `outDims`), the flat index of the
 * operand's batch whose dims are `dims` (right-aligned, size-1 dims
 * broadcast). Null when the mapping is the identity.
 */
export function batchIndex(dims: readonly number[], outDims: readonly number[]): Int32Array | null {
  const outSize = sizeOf(outDims);
  const size = sizeOf(dims);
  // Broadcasting only repeats size-1 dims, so equal sizes mean equal layouts.
  if (size === outSize) return null;
  const index = new Int32Array(outSize);
  if (size === 1) return index;
  const strides = broadcastStrides(dims, outDims);
  for (let o = 0; o < outSize; o++) {
    let rest = o;
    let flat = 0;
    for (let i = outDims.length - 1; i >= 0; i--) {
      const d = outDims[i] as number;
      flat += (rest % d) * (strides[i] as number);
      rest = Math.floor(rest / d);
    }
    index[o] = flat;
  }
  return index;
}
