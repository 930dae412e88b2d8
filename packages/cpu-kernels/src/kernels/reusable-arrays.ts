/**
 * Which Float32Arrays a kernel may overwrite in place when their tensor is
 * about to be disposed (TunekitAdamW with `consumesInputs`).
 *
 * tfjs's cpu backend hands a tensor's backing array out by reference
 * (`dataSync()` returns it; stock Slice, StridedSlice and Unpack return
 * subarray views of their input), so an array is safe to overwrite only if
 * it is one we made, no JS caller ever received it, and no view of it can
 * exist. Arrays become reusable when our AdamW kernel creates them (the
 * variables and moments it returns); they stop being reusable, for good,
 * the moment anything reads them out or a view-making stock kernel takes
 * them as input. The other sharing tfjs does — the same dataId for a
 * clone, a reshape or an identity — shows in the dataId's refCount, which
 * the kernel checks as well.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type KernelFunc, type TensorInfo, StridedSlice, Unpack } from '@tensorflow/tfjs-core';
import type { NativeKernel } from './native-kernel';

const reusable = new WeakSet<Float32Array>();
const hooked = new WeakSet<MathBackendCPU>();

/** Marks arrays a kernel has just created (and nothing else has seen) as reusable. */
export function markReusable(...arrays: Float32Array[]): void {
  for (const a of arrays) reusable.add(a);
}

/** The backing array of `t` if it may be overwritten now: made by us, never read out, and `t`'s data held by one tensor only. */
export function reusableValues(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  const data = backend.data.get(t.dataId);
  const values = data?.values;
  if (!(values instanceof Float32Array) || !reusable.has(values) || data?.refCount !== 1) return undefined;
  return values;
}

function expose(backend: MathBackendCPU, t: TensorInfo | undefined): void {
  const values = t ? backend.data.get(t.dataId)?.values : undefined;
  if (values instanceof Float32Array) reusable.delete(values);
}

/**
 * Makes every read-out of `backend` (`readSync`, `read`: dataSync, data,
 * arraySync, print, moving to another backend) end reusability of the array
 * it returns. Idempotent; installed before the first reusable array exists.
 */
export function hookReadOuts(backend: MathBackendCPU): void {
  if (hooked.has(backend)) return;
  hooked.add(backend);
  const readSync = backend.readSync.bind(backend);
  const read = backend.read.bind(backend);
  backend.readSync = (dataId) => {
    expose(backend, { dataId, shape: [], dtype: 'float32' });
    return readSync(dataId);
  };
  backend.read = async (dataId) => {
    expose(backend, { dataId, shape: [], dtype: 'float32' });
    return read(dataId);
  };
}

/** Stock kernels that return subarray views of their input: they run unchanged, after ending the input's reusability. */
function viewingKernel(kernelName: string): NativeKernel {
  return {
    kernelName,
    create(_addon, stock): KernelFunc {
      return (args) => {
        const backend = args.backend as MathBackendCPU;
        for (const input of Object.values(args.inputs)) expose(backend, input as TensorInfo);
        return stock(args);
      };
    },
  };
}

/** StridedSlice and Unpack (Slice and SplitV copy natively, see elementwise.ts, and expose on their stock fallback). */
export const VIEWING_KERNELS: readonly NativeKernel[] = [viewingKernel(StridedSlice), viewingKernel(Unpack)];

/** Ends reusability of a kernel's inputs before handing them to a stock kernel that may view them. */
export function exposeInputs(backend: MathBackendCPU, inputs: Record<string, unknown>): void {
  for (const input of Object.values(inputs)) expose(backend, input as TensorInfo);
}
