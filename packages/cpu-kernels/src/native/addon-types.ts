/** The shape of the compiled addon (`build/Release/tunekit_cpu_kernels.node`). */

/** SIMD level of the native code. */
export type NativeIsa = 'avx512' | 'avx2' | 'scalar';

/** What the addon reports about itself. */
export interface AddonInfo {
  isa: NativeIsa;
  detectedIsa: NativeIsa;
  threads: number;
  hardwareThreads: number;
  gemmKernel: string;
}

/**
 * The raw native functions. They check buffer sizes (a wrong call throws a
 * TypeError instead of corrupting memory) but know nothing of tfjs: the
 * kernels in `src/kernels` do the shape logic.
 */
export interface NativeAddon {
  info(): AddonInfo;
  /** Resizes the thread pool; returns the thread count now in use. */
  setThreads(threads: number): number;
  /** Lowers (or restores) the SIMD level, clamped to what the CPU has; returns the level in use. */
  setIsa(isa: NativeIsa): NativeIsa;
  /**
   * out[batch, m, n] = a_i · b_j per batch, where a holds [m, k] matrices
   * ([k, m] when transposeA), b holds [k, n] ([n, k] when transposeB), and
   * aIndex/bIndex (null = identity) pick the a/b matrix of each output batch.
   */
  matmul(
    a: Float32Array, b: Float32Array, out: Float32Array,
    batch: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean,
    aIndex: Int32Array | null, bIndex: Int32Array | null,
  ): void;
  /** Raises glibc's mmap/trim thresholds so large tensors reuse heap memory instead of page-faulting fresh mmaps; false where not applicable. */
  tuneAllocator(): boolean;
  /** out[ids[r], :] += x[r, :] for each row r (ids outside [0, numSegments) skipped); out must be zeroed. */
  scatterAdd(x: Float32Array, ids: Int32Array, numSegments: number, inner: number, out: Float32Array): void;
}
