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
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { replaceKernel } from './replace-kernel';

interface WasmBackendLike {
  incRef(dataId: object): void;
}

const sharingIdentity = (stockIdentity: KernelFunc): KernelFunc => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  // Strings live outside the wasm heap; the stock kernel handles them.
  if (x.dtype === 'string') return stockIdentity(args);
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/** Replaces the wasm `Identity` with one that shares its input's buffer (idempotent). */
export function registerWasmIdentityKernel(): void {
  replaceKernel('Identity', 'wasm', sharingIdentity);
}
