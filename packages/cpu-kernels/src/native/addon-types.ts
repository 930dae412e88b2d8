/** The shape of the compiled addon (`build/Release/tunekit_cpu_kernels.node`). */

/** SIMD level of the native code (`neon` on arm64, the others on x86-64). */
export type NativeISA = 'avx512' | 'avx2' | 'neon' | 'scalar';

/** What the addon reports about itself. */
export interface AddonInfo {
  isa: NativeISA;
  detectedIsa: NativeISA;
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
  setIsa(isa: NativeISA): NativeISA;
  /**
   * out[batch, m, n] = a_i · b_j per batch, where a holds [m, k] matrices
   * ([k, m] when transposeA), b holds [k, n] ([n, k] when transposeB), and
   * aIndex/bIndex (null = identity) pick the a/b matrix of each output batch;
   * bias (length n), when given, is added to every row of every product as
   * it is stored (the same bits as a separate add). A low-rank term (batch 1
   * only), when lowA is given: lowScale · lowA [m, lowK] · lowB ([lowK, n],
   * or [n, lowK] when transposeLowB), 1 ≤ lowK ≤ 256, added to each tile
   * after the bias; with lowScale a power of two the bits of that product
   * computed alone, scaled and added.
   */
  matmul(
    a: Float32Array, b: Float32Array, out: Float32Array,
    batch: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean,
    aIndex: Int32Array | null, bIndex: Int32Array | null,
    bias?: Float32Array | null,
    lowA?: Float32Array | null, lowB?: Float32Array | null, lowK?: number, transposeLowB?: boolean, lowScale?: number,
  ): void;
  /** Raises glibc's mmap/trim thresholds so large tensors reuse heap memory instead of page-faulting fresh mmaps; false where not applicable. */
  tuneAllocator(): boolean;
  /** out[ids[r], :] += x[r, :] for each row r (ids outside [0, numSegments) skipped); out must be zeroed. */
  scatterAdd(x: Float32Array, ids: Int32Array, numSegments: number, inner: number, out: Float32Array): void;
  /** out = a op b (0 add, 1 sub, 2 mul, 3 div); plan = [rank, dims..., aStrides..., bStrides...] in elements, 0 = broadcast. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, plan: Int32Array): void;
  /** out = f(x) (0 exp, 1 tanh, 2 rsqrt, 3 square, 4 neg, 5 sqrt, 6 log, 7 reciprocal, 8 floor). */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** x [outer, reduce, inner] → out [outer, inner] (0 sum, 1 max, 2 mean; sums in double). */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  /** Softmax over the last axis of [rows, cols]. */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out = transpose(x of shape dims, perm). */
  transpose(x: Float32Array, out: Float32Array, dims: Int32Array, perm: Int32Array): void;
  /** out = the box [begin, begin + size) of x (shape dims), dense. */
  slice(x: Float32Array, out: Float32Array, dims: Int32Array, begin: Int32Array, size: Int32Array): void;
  /** GELU: the tanh form (`gelu_new`) when approximate, else the erf form. */
  gelu(x: Float32Array, out: Float32Array, approximate: boolean): void;
  /** out = dy · GELU'(x). */
  geluGrad(dy: Float32Array, x: Float32Array, out: Float32Array, approximate: boolean): void;
  /** out[i] = 1/(1−rate) with probability 1−rate, else 0; a counter-based hash of (seed, i), so independent of threads. */
  dropoutMask(out: Float32Array, rate: number, seed: number): void;
  /** out = residual + x·mask (residual null: x·mask), mask[i] as dropoutMask makes it for (rate, seed): one pass, no mask. */
  dropoutApply(x: Float32Array, residual: Float32Array | null, out: Float32Array, rate: number, seed: number): void;
  /** y = GELU(h + bias) over h [rows, cols], bias [cols] (tanh form when approximate, else erf). */
  biasGelu(h: Float32Array, bias: Float32Array, y: Float32Array, rows: number, cols: number, approximate: boolean): void;
  /** dh = dy · GELU'(h + bias) and dbias = Σ_rows dh (fixed-order double sums). */
  biasGeluGrad(dy: Float32Array, h: Float32Array, bias: Float32Array, dh: Float32Array, dbias: Float32Array, rows: number, cols: number, approximate: boolean): void;
  /** Per row of logits [rows, cols]: logSumExp and loss = logSumExp − logits[label]; a negative label masks the row (both 0). */
  softmaxCrossEntropy(logits: Float32Array, labels: Int32Array, loss: Float32Array, logSumExp: Float32Array, rows: number, cols: number): void;
  /** dx = (softmax(logits) − onehot(labels))·dy (dy: one value or one per row); a masked row's gradient is 0. */
  softmaxCrossEntropyGrad(logits: Float32Array, labels: Int32Array, logSumExp: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** Layer norm over the last axis of x [rows, cols]: out = (x − mean)·rstd·gamma + beta; writes each row's mean and rstd (for the backward). */
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, cols: number, epsilon: number): void;
  /** Layer norm's backward from the forward's x, gamma, mean, rstd: dx [rows, cols], dgamma and dbeta [cols]. */
  layerNormGrad(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, cols: number,
  ): void;
  /**
   * Fused causal self-attention over qkv [batch, time, 3C]: out [batch, time, C] (heads merged) and
   * stats [batch, heads, time, 2] (row max, 1/sum) for the backward; mask additive [maskBatch, time, time].
   */
  attention(
    qkv: Float32Array, mask: Float32Array, out: Float32Array, stats: Float32Array,
    batch: number, time: number, heads: number, maskBatch: number, scale: number, skipFuture: boolean, dropoutRate: number, seed: number,
  ): void;
  /** Its backward: dqkv [batch, time, 3C] from dout [batch, time, C] and the forward's out and stats. */
  attentionGrad(
    qkv: Float32Array, mask: Float32Array, out: Float32Array, stats: Float32Array, dout: Float32Array, dqkv: Float32Array,
    batch: number, time: number, heads: number, maskBatch: number, scale: number, skipFuture: boolean, dropoutRate: number, seed: number,
  ): void;
  /** out[k] = Σ arrays[k][i]² (each square in float32, summed in double, rounded to float32); one array per task. */
  sumSquares(arrays: Float32Array[], out: Float32Array): void;
  /** One AdamW step: (p, g, m, v) → (pOut, mOut, vOut); hyper = [β1, 1−β1, β2, 1−β2, decay, correction2, eps, stepSize, decays, gradientScale?]. */
  adamw(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, hyper: Float32Array): void;
}
