/**
 * tfjs-backend-wasm multiplies transposed operands ~20× slower than plain
 * ones (XNNPACK's fast path needs row-major operands). The matMul gradients
 * are all transposed products, so we transpose explicitly (cheap, O(n²)) and
 * run the fast untransposed product (O(n³)).
 */
import { type KernelFunc, type TensorInfo, getKernel } from '@tensorflow/tfjs-core';
import { replaceKernel } from './replace-kernel';

interface WasmBackendLike {
  disposeData(dataId: object): void;
}

function swapLastTwo(x: TensorInfo, backend: unknown): TensorInfo {
  const transpose = getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('wasm backend has no Transpose kernel'); // plain Error: kernel invariant: tfjs-backend-wasm always registers Transpose
  const perm = x.shape.map((_, i) => i);
  const last = perm.length - 1;
  [perm[last - 1], perm[last]] = [perm[last] as number, perm[last - 1] as number];
  return transpose.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

const batchMatMul = (stock: KernelFunc): KernelFunc => (args) => {
  const { inputs, backend, attrs } = args;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return stock(args);
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const a2 = transposeA ? swapLastTwo(a, backend) : a;
  const b2 = transposeB ? swapLastTwo(b, backend) : b;
  const out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  if (transposeA) (backend as unknown as WasmBackendLike).disposeData(a2.dataId);
  if (transposeB) (backend as unknown as WasmBackendLike).disposeData(b2.dataId);
  return out;
};

/** Replaces the wasm `BatchMatMul` with the explicit-transpose wrapper (idempotent). */
export function registerWasmMatMulKernel(): void {
  replaceKernel('BatchMatMul', 'wasm', batchMatMul);
}
