/**
 * tfjs-backend-wasm's `Identity` copies its input into a new buffer, and the
 * engine runs `Identity` for every tensor the gradient tape saves
 * (`engine.clone`): on wasm each saved input was a physical copy — every
 * weight a linear map reads (a second 475 MB of GPT-2 124M's weights) and
 * every saved activation — on a heap that cannot grow past 4 GiB. The cpu
 * backend's Identity shares the buffer and counts a reference; tensors are
 * immutable in tfjs (a variable's assign swaps its buffer, it does not write
 * into it), so sharing is what the engine expects. This one does the same on
 * wasm, with the backend's own reference counting.
 */
import { type KernelFunc, type TensorInfo, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  incRef(dataId: object): void;
}

let stockIdentity: KernelFunc | undefined;

const sharingIdentity: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  // Strings live outside the wasm heap; the stock kernel handles them.
  if (x.dtype === 'string') return (stockIdentity as KernelFunc)(args);
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/** Replaces the wasm `Identity` with one that shares its input's buffer (idempotent). */
export function registerWasmIdentityKernel(): void {
  const existing = getKernel('Identity', 'wasm');
  if (!existing || existing.kernelFunc === sharingIdentity) return;
  stockIdentity = existing.kernelFunc;
  unregisterKernel('Identity', 'wasm');
  registerKernel({ ...existing, kernelFunc: sharingIdentity });
}
