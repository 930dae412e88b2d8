/**
 * Output arrays that can be used again, and which arrays a kernel may
 * overwrite in place.
 *
 * Every tensor tfjs's cpu backend makes is a fresh `Float32Array`: Node
 * zero-fills it (native kernels' new arrays skip that: fresh-arrays.ts),
 * and once the tensor is disposed the array is garbage that only V8's
 * collector frees. A training step makes gigabytes of them, so V8
 * runs a full mark-compact every ~64 MB of new external memory (a dozen per
 * classification step, each with concurrent-marking threads competing with
 * the kernels' own two). Here the native kernels take their outputs from a
 * pool of arrays whose tensors were disposed, and AdamW updates in place
 * (`consumesInputs`): no allocation, no zero-fill, no garbage.
 *
 * tfjs hands a tensor's array out by reference (`dataSync()` returns it;
 * stock Slice, StridedSlice, SplitV and Unpack return subarray views of their
 * input), so an array is reusable only while no one else can see it:
 * - it was made here, for a native kernel's output (never a user's array,
 *   a loaded weight or a view);
 * - nothing read it out: `readSync`/`read` (dataSync, data, arraySync,
 *   print, a move to another backend) end its reusability for good;
 * - no stock kernel took it as input: every stock cpu kernel, and the stock
 *   fallback of every native one, runs behind a wrapper that ends the
 *   reusability of its inputs first (../registry.ts; Reshape, Identity and
 *   GatherV2 excepted: they only add a reference to the same dataId, or copy);
 * - the tensors that hold it are counted, so it returns to the pool only
 *   when the last one is disposed (AdamW's in-place outputs hold the same
 *   array as the inputs they replace, until core disposes those).
 * The pool holds its arrays strongly (a WeakRef's target stays alive until
 * the end of the current job, i.e. the whole synchronous step, so evicted
 * arrays would not be freed), at most {@link MAX_POOLED_BYTES}; unregistering
 * the kernels or turning reuse off empties it.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { newFloat32Array, poisoned } from './fresh-arrays';

/** Arrays made here and not seen outside the native kernels, with how many live tensors hold each. */
const holders = new WeakMap<Float32Array, number>();
/** A disposed array waiting to be used again; `array` is cleared once it is taken or evicted (so the queue never keeps it alive). */
interface Entry {
  array: Float32Array | undefined;
  bytes: number;
}
/** Disposed arrays by length (last in, first out: the most recently used memory is warmest). */
const pool = new Map<number, Entry[]>();
/** The same entries in the order they came, for evicting the oldest. */
let order: Entry[] = [];
let orderHead = 0;
let pooledBytes = 0;
/**
 * Bytes the pool holds at most. The arrays reused within a step — one
 * block's intermediates for the next block, activations freed by the
 * backward for gradients of their shape — come back within ~100 MB; without
 * a bound the pool would also keep arrays of shapes that come back only a
 * step later (every weight gradient, while the next forward runs): full
 * fine-tuning 124M 4×256 peaked at 4,118 MiB with an unbounded pool, 3,380
 * with this bound, 3,110 without reuse. Beyond it the oldest entries are
 * left to the collector, as every array was before.
 */
const MAX_POOLED_BYTES = 128 * 1024 * 1024;
/**
 * Arrays below this size are not pooled: a small array costs little to
 * allocate and collect, and token-by-token generation makes thousands of
 * them in lengths that never come back (the KV cache grows by one position
 * each token), which filled the pool with dead weight (generation's peak
 * RSS 737 → 863 MiB). Training's activations and gradients are megabytes.
 */
const MIN_POOLED_BYTES = 1024 * 1024;
const hooked = new WeakSet<MathBackendCPU>();
let enabled = true;

/** Turns reuse on or off (registerNativeCPUKernels' `reuseArrays`); off, every output is new and nothing is updated in place. */
export function setArrayReuse(on: boolean): void {
  enabled = on;
  if (!on) emptyPool();
}

/** Drops every pooled array (they become garbage, as without the pool). */
export function emptyPool(): void {
  pool.clear();
  order = [];
  orderHead = 0;
  pooledBytes = 0;
}

/**
 * A Float32Array of `length` for a native kernel's output, which the kernel
 * must overwrite entirely (its contents are a disposed tensor's, or
 * uninitialised memory): from the pool when one is there, else new.
 */
export function outputArray(length: number): Float32Array {
  return takeArray(length).array;
}

/** {@link outputArray}, and whether its contents are known to be zeros. */
function takeArray(length: number): { array: Float32Array; zeroed: boolean } {
  if (!enabled) return newFloat32Array(length);
  const entries = pool.get(length);
  while (entries && entries.length > 0) {
    const entry = entries.pop() as Entry;
    const array = entry.array;
    if (!array) continue;
    entry.array = undefined;
    pooledBytes -= entry.bytes;
    if (holders.get(array) === 0) return { array: poisoned(array), zeroed: false };
  }
  const made = newFloat32Array(length);
  holders.set(made.array, 0);
  return made;
}

/** {@link outputArray} filled with zeros, for kernels that accumulate into their output. */
export function zeroedOutputArray(length: number): Float32Array {
  const { array, zeroed } = takeArray(length);
  // New arrays are not zero-filled (fresh-arrays.ts), and a pooled one holds a disposed tensor's values.
  return zeroed ? array : array.fill(0);
}

/** Registers `values` as a new tensor of `backend`, counting it as a holder of a reusable array. */
export function registerOutput(backend: MathBackendCPU, shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
  hookBackend(backend);
  const held = holders.get(values);
  if (held !== undefined) holders.set(values, held + 1);
  return backend.makeTensorInfo(shape, dtype, values);
}

/** The backing array of `t` if it may be overwritten now: reusable and held by `t` alone (one tensor, refCount 1). */
export function reusableValues(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  const data = backend.data.get(t.dataId);
  const values = data?.values;
  if (!enabled || !(values instanceof Float32Array) || holders.get(values) !== 1 || data?.refCount !== 1) return undefined;
  return values;
}

function exposeData(backend: MathBackendCPU, dataId: DataId | undefined): void {
  const values = dataId ? backend.data.get(dataId)?.values : undefined;
  if (values instanceof Float32Array) holders.delete(values);
}

/** Ends the reusability of every input's array (before a stock kernel, which may view or keep it, runs). */
export function exposeInputs(backend: MathBackendCPU, inputs: object): void {
  for (const input of Object.values(inputs)) {
    if (Array.isArray(input)) for (const t of input) exposeData(backend, (t as TensorInfo | undefined)?.dataId);
    else exposeData(backend, (input as TensorInfo | undefined)?.dataId);
  }
}

/** Puts a disposed array in the pool, evicting the oldest entries beyond {@link MAX_POOLED_BYTES}. */
function addToPool(values: Float32Array): void {
  const bytes = values.byteLength;
  if (bytes < MIN_POOLED_BYTES || bytes > MAX_POOLED_BYTES) return;
  const entry: Entry = { array: values, bytes };
  const entries = pool.get(values.length) ?? [];
  entries.push(entry);
  pool.set(values.length, entries);
  order.push(entry);
  pooledBytes += bytes;
  while (pooledBytes > MAX_POOLED_BYTES && orderHead < order.length) {
    const oldest = order[orderHead++] as Entry;
    if (!oldest.array) continue;
    oldest.array = undefined; // collectable now
    pooledBytes -= oldest.bytes;
  }
  // Drop the queue's consumed head and each list's dead entries now and then, so neither grows without bound.
  if (orderHead > 4096 || order.length > 8192) {
    order = order.slice(orderHead).filter((e) => e.array);
    orderHead = 0;
    for (const [length, list] of pool) {
      const live = list.filter((e) => e.array);
      if (live.length > 0) pool.set(length, live);
      else pool.delete(length);
    }
  }
}

/**
 * Hooks `backend` once: read-outs end reusability; disposing the last
 * holder of a reusable array puts it in the pool.
 */
function hookBackend(backend: MathBackendCPU): void {
  if (hooked.has(backend)) return;
  hooked.add(backend);
  const readSync = backend.readSync.bind(backend);
  const read = backend.read.bind(backend);
  const disposeData = backend.disposeData.bind(backend);
  backend.readSync = (dataId) => {
    exposeData(backend, dataId);
    return readSync(dataId);
  };
  backend.read = async (dataId) => {
    exposeData(backend, dataId);
    return read(dataId);
  };
  backend.disposeData = (dataId, force) => {
    const values = backend.data.get(dataId)?.values;
    const released = disposeData(dataId, force);
    if (values instanceof Float32Array && !backend.data.has(dataId)) {
      const held = holders.get(values);
      if (held !== undefined) {
        holders.set(values, held - 1);
        if (held === 1 && enabled) addToPool(values);
      }
    }
    return released;
  };
}
