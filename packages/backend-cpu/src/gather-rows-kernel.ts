/**
 * `GatherV2` along the first axis — the embedding lookup (token and position
 * rows of wte and wpe) and the classification head's last-token pick — as
 * one row copy per index. tfjs's cpu kernel walks every output element
 * through index ↔ coordinate conversions in JavaScript: ~19 ms per lookup
 * of 1,024 tokens in GPT-2's [50257, 768] table, a few per cent of a
 * classification step. Other axes, batch dimensions and dtypes keep the
 * stock kernel. Same values (a copy), same out-of-range refusal.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@tunekit/formats';
import { replaceKernel } from './replace-kernel';

interface CpuLikeBackend {
  /** The backend's own storage: reading it, as tfjs's kernels do, is not a read-out (readSync would end the native kernels' in-place updates of the table, e.g. AdamW's on wte). */
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

/** Copies rows `indices` of a [rows, rowSize] table into `out` (rowSize floats each). */
export function gatherRows(table: Float32Array, rows: number, rowSize: number, indices: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    if (!(row >= 0 && row < rows)) {
      throw new InvalidArgumentError(`GatherV2: index ${row} at position ${i} is not in [0, ${rows - 1}]`, {
        fix: 'Pass ids below the table\'s row count (for token ids: below the model\'s vocabSize; for positions: below contextLength).',
      });
    }
    out.set(table.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  }
}

const gatherKernel = (stockGather: KernelFunc): KernelFunc => (args) => {
  const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as { axis: number | number[]; batchDims: number };
  const along = Array.isArray(axis) ? axis[0] : axis;
  if ((along !== 0 && along !== -x.shape.length) || batchDims !== 0 || x.dtype !== 'float32' || x.shape.length < 1) return stockGather(args);
  const cpu = args.backend as unknown as CpuLikeBackend;
  const values = cpu.data.get(x.dataId)?.values;
  if (!(values instanceof Float32Array)) return stockGather(args);
  const rows = x.shape[0] as number;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const ids = cpu.data.get(indices.dataId)?.values;
  if (!(ids instanceof Int32Array || ids instanceof Float32Array)) return stockGather(args);
  const out = new Float32Array(ids.length * rowSize);
  gatherRows(values, rows, rowSize, ids, out);
  return cpu.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], 'float32', out);
};

/** Registers the row-copy `GatherV2` on tfjs's cpu backend (idempotent; other cases go to the stock kernel). */
export function registerGatherRowsKernel(): void {
  replaceKernel('GatherV2', 'cpu', gatherKernel);
}
