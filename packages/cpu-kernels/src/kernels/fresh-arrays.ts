/**
 * New output arrays without the zero-fill.
 *
 * `new Float32Array(n)` is zero-filled, and with cpu-kernels' allocator
 * policy (freed memory is kept and reused, see `tune_allocator`) that is a
 * real `memset` on the JavaScript thread: ~3.6 GB per gpt2-medium 8×92 step,
 * while the pool's worker waits (docs/performance.md item 35). A native
 * kernel writes every element of its output anyway, so the array is taken
 * from Node's `Buffer.allocUnsafeSlow` (one unpooled, uninitialised
 * ArrayBuffer of its own) where Node has it.
 *
 * Test mode: with `TUNEKIT_POISON_OUTPUTS=1` every output array a kernel
 * gets (new or from the pool) is filled with NaN first, so a kernel that
 * leaves any element unwritten fails its parity test instead of passing on
 * memory that happened to be zero. The repository's vitest config sets it.
 */

interface UnsafeAllocator {
  allocUnsafeSlow(size: number): { buffer: ArrayBufferLike; byteOffset: number };
}

/** Node's Buffer, where there is one (never in a browser bundle's globals). */
const nodeBuffer = (globalThis as { Buffer?: UnsafeAllocator }).Buffer;
const unsafeAllocation = typeof nodeBuffer?.allocUnsafeSlow === 'function';
const poison = typeof process !== 'undefined' && process.env?.TUNEKIT_POISON_OUTPUTS === '1';

/** A new Float32Array of `length`; `zeroed` says whether its contents are known to be zeros. */
export function newFloat32Array(length: number): { array: Float32Array; zeroed: boolean } {
  if (!unsafeAllocation || length === 0) return { array: poisoned(new Float32Array(length)), zeroed: !poison };
  const bytes = (nodeBuffer as UnsafeAllocator).allocUnsafeSlow(length * Float32Array.BYTES_PER_ELEMENT);
  // allocUnsafeSlow's buffer is its own, starting at offset 0 (only allocUnsafe shares a slab).
  return { array: poisoned(new Float32Array(bytes.buffer, bytes.byteOffset, length)), zeroed: false };
}

/** `array`, filled with NaN first in test mode (`TUNEKIT_POISON_OUTPUTS=1`); otherwise untouched. */
export function poisoned(array: Float32Array): Float32Array {
  return poison ? array.fill(Number.NaN) : array;
}
