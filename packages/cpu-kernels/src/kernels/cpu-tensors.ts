/** Reading and making tensors on tfjs's cpu backend without copies. */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { kernelInputError } from './kernel-errors';
import { registerOutput } from './reusable-arrays';

/** The backing Float32Array of a float32 tensor, or undefined (other dtype, or not plain data) so the caller falls back to the stock kernel. */
export function float32Values(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : undefined;
}

/** The backing Float32Array of `t`, or an error naming the kernel and the input (for kernels with no stock fallback). */
export function requireFloat32(backend: MathBackendCPU, t: TensorInfo, kernel: string, name: string): Float32Array {
  const v = float32Values(backend, t);
  if (!v) throw kernelInputError(kernel, `${name} must be a float32 tensor`);
  return v;
}

/** The backing Int32Array of an int32 tensor, or undefined. */
export function int32Values(backend: MathBackendCPU, t: TensorInfo): Int32Array | undefined {
  if (t.dtype !== 'int32') return undefined;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Int32Array ? values : undefined;
}

/** Registers `values` (written by native code) as a new tensor of the backend (counted as a holder when the array came from `outputArray`). */
export function makeOutput(backend: MathBackendCPU, shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
  return registerOutput(backend, shape, values, dtype);
}

/** Product of the dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/**
 * [rows, cols] of `x` seen as rows over its last axis, after checking that
 * each of `perColumn` has one value per column (a bias, gamma, beta).
 */
export function rowsOverLastAxis(
  x: TensorInfo,
  perColumn: TensorInfo[],
  names: { kernel: string; x: string; perColumn: string },
): [number, number] {
  const cols = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || cols === undefined || cols < 1) throw kernelInputError(names.kernel, `${names.x} must have a non-empty last axis, got [${x.shape.join(', ')}]`);
  for (const p of perColumn) {
    if (sizeOf(p.shape) !== cols) throw kernelInputError(names.kernel, `${names.perColumn} must have ${cols} values (${names.x}'s last axis), got [${p.shape.join(', ')}]`);
  }
  return [sizeOf(x.shape) / cols, cols];
}
