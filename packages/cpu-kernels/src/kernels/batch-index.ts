/** tfjs's batch broadcasting for BatchMatMul, as index arrays for the addon. */

/**
 * For each output batch (row-major over `outDims`), the flat index of the
 * operand's batch whose dims are `dims` (right-aligned, size-1 dims
 * broadcast). Null when the mapping is the identity.
 */
export function batchIndex(dims: readonly number[], outDims: readonly number[]): Int32Array | null {
  let outSize = 1;
  for (const d of outDims) outSize *= d;
  let size = 1;
  for (const d of dims) size *= d;
  // Broadcasting only repeats size-1 dims, so equal sizes mean equal layouts.
  if (size === outSize) return null;
  const index = new Int32Array(outSize);
  if (size === 1) return index;
  const offset = outDims.length - dims.length;
  // Strides of the operand's dims, 0 where it is broadcast.
  const strides = new Array<number>(outDims.length).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i] as number;
    strides[i + offset] = d === 1 ? 0 : stride;
    stride *= d;
  }
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
