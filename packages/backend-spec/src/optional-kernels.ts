/**
 * The optional fused kernels: kernels tfjs does not have, which a backend may
 * register in tfjs's kernel registry and `@tunekit/core` then runs instead of
 * its op-by-op path (fewer passes over memory, less kept for the backward).
 * Each one is defined here once — its name, its inputs, its attributes and its
 * outputs — so that core (the caller) and each backend (the implementer) share
 * one definition, and a misspelt name, a missing input or a wrong attribute is
 * a type error on both sides. `@tunekit/cpu-kernels` implements all of them
 * for tfjs's `cpu` backend.
 *
 * What a backend does to provide one:
 *
 * 1. Register a tfjs kernel under the name, for its tfjs backend:
 *    `registerKernel({ kernelName: TunekitLayerNorm, backendName, kernelFunc })`.
 *    Register no gradient for it: core wraps each forward kernel in
 *    `tf.customGrad` and runs the matching `…Grad` kernel itself (or, for
 *    `TunekitLinear` and `TunekitLoRALinear`, registers the gradient itself,
 *    from matMuls, a sum and `TunekitLoRALinearGrad`).
 * 2. Register a forward kernel and its `…Grad` kernel together: core uses a
 *    pair only when both are registered. `TunekitDropoutMask`,
 *    `TunekitDropout` (its own gradient), `TunekitLinear` and `TunekitAdamW`
 *    stand alone.
 * 3. Compute what core's op path computes, within float32 rounding, for every
 *    shape the inputs may have (odd sizes included); where a kernel's entry
 *    below promises more (AdamW's op order, the dropout masks' equality), keep
 *    that too. Core calls the kernels with float32 tensors only.
 * 4. Read the inputs by the names and the attributes as typed below; return
 *    new tensors (never an input, and dispose none) in the order of
 *    `outputs`. A kernel with one output returns that tensor, not a
 *    one-element array: tfjs's `runKernel` hands back what the kernel returns.
 *
 * Core checks `tf.getKernel(name, tf.getBackend())` at each use
 * (`core/src/tf/optional-kernel.ts`), so a backend that registers none of
 * them runs everything op by op: a kernel here only ever makes a backend
 * faster or leaner, never changes a result beyond rounding.
 *
 * Everything here is a type, a string or a plain constant or check of a
 * contract (the LoRA kernels' limits), so the package stays free of tfjs:
 * `T` is the tensor type of the side that uses it (`tf.Tensor` for a caller,
 * `TensorInfo` inside a tfjs kernel).
 * @module
 */

/** GELU and dy·GELU'(x) over a tensor of any shape, in one pass each. */
export const TunekitGelu = 'TunekitGelu';
/** The gradient of {@link TunekitGelu}: dy·GELU'(x). */
export const TunekitGeluGrad = 'TunekitGeluGrad';
/** The MLP's `gelu(h + bias)`, bias over the last axis, in one pass. */
export const TunekitBiasGelu = 'TunekitBiasGelu';
/** The gradient of {@link TunekitBiasGelu}: dh = dy·GELU'(h + bias) and dbias = Σ over rows of dh, in one pass. */
export const TunekitBiasGeluGrad = 'TunekitBiasGeluGrad';
/** Layer norm over the last axis with a biased variance (PyTorch's), keeping each row's mean and 1/σ for the backward. */
export const TunekitLayerNorm = 'TunekitLayerNorm';
/** The gradient of {@link TunekitLayerNorm}: dx, dgamma and dbeta from the saved mean and 1/σ. */
export const TunekitLayerNormGrad = 'TunekitLayerNormGrad';
/** GPT-2's causal self-attention from c_attn's packed qkv to the merged heads, without [B, H, T, T] scores on the tape. */
export const TunekitAttention = 'TunekitAttention';
/** The gradient of {@link TunekitAttention}: dqkv, recomputing the probabilities from the saved row statistics. */
export const TunekitAttentionGrad = 'TunekitAttentionGrad';
/** The multiplier of inverted dropout, 1/(1 − rate) or 0 per element, from a seed. */
export const TunekitDropoutMask = 'TunekitDropoutMask';
/**
 * Inverted dropout applied in one pass, optionally onto a residual:
 * `residual + x·mask` with the mask {@link TunekitDropoutMask} makes, which
 * is never materialised. Its gradient is itself (dx = dy·mask, same seed).
 */
export const TunekitDropout = 'TunekitDropout';
/** A linear map with its bias, `x·weight + bias`, the bias added as the product is stored (no second pass over the output). */
export const TunekitLinear = 'TunekitLinear';
/**
 * A LoRA-adapted linear map, `x·W + b + scaling·(x·Aᵀ)·Bᵀ`, with the low-rank
 * term added to each tile of the base product as it is stored: no [rows, out]
 * update tensor, no Add. Core registers its gradient.
 */
export const TunekitLoRALinear = 'TunekitLoRALinear';
/** The input gradient of {@link TunekitLoRALinear}: `dy·Wᵀ + dLow·A` in one GEMM (no second [rows, in] gradient, no Add). */
export const TunekitLoRALinearGrad = 'TunekitLoRALinearGrad';
/** One AdamW update of one variable (decoupled decay, bias-corrected moments) in one pass. */
export const TunekitAdamW = 'TunekitAdamW';
/**
 * `sum + part` for a gradient being summed (two uses of one tensor: the tied
 * embedding table, a residual stream). With `consumesInputs` the backend may
 * write it over `sum`'s memory instead of a new buffer.
 */
export const TunekitAccumulate = 'TunekitAccumulate';
/** Σx² of each of many tensors in one call: the global gradient norm without a squared copy of every gradient. */
export const TunekitSumOfSquares = 'TunekitSumOfSquares';
/** The language-model loss per row: log-softmax over the vocabulary and the label's negative log-likelihood, one pass over the logits. */
export const TunekitSoftmaxCrossEntropy = 'TunekitSoftmaxCrossEntropy';
/** The gradient of {@link TunekitSoftmaxCrossEntropy}: (softmax − onehot)·dy written into one [rows, V] buffer. */
export const TunekitSoftmaxCrossEntropyGrad = 'TunekitSoftmaxCrossEntropyGrad';

/** Attributes of {@link TunekitGelu}, {@link TunekitGeluGrad}, {@link TunekitBiasGelu} and {@link TunekitBiasGeluGrad}. */
export interface TunekitGeluAttrs {
  /** `true`: the tanh form (`gelu_new`, GPT-2's); `false`: the exact erf form (`gelu`). */
  approximate: boolean;
}

/** Attributes of {@link TunekitLayerNorm}. */
export interface TunekitLayerNormAttrs {
  /** Added to the variance before the square root (GPT-2: 1e-5). */
  epsilon: number;
}

/** Attributes of {@link TunekitAttention} and {@link TunekitAttentionGrad} (the backward gets the forward's). */
export interface TunekitAttentionAttrs {
  /** Number of heads H; qkv's last axis is 3·H·D. */
  heads: number;
  /** Multiplies q·k before the mask is added: 1/√D, times GPT-2's optional 1/(layer + 1). */
  scale: number;
  /**
   * Whether the kernel may skip the keys after each query's position. Core
   * sets it only when the mask is the plain causal one shared by the batch
   * ([1, 1, T, T]), so nothing else can mask a whole row.
   */
  skipFuture: boolean;
  /**
   * Inverted dropout on the probabilities, 0 for none. The mask must equal
   * what {@link TunekitDropoutMask} makes for shape [B, H, T, T] and the same
   * `seed`, so a backend that has both gives the op path's result.
   */
  dropoutRate: number;
  /** Seed of that dropout mask. */
  seed: number;
}

/** Attributes of {@link TunekitDropoutMask}. */
export interface TunekitDropoutMaskAttrs {
  /** Shape of the mask. */
  shape: number[];
  /** Probability that an element is dropped, in [0, 1). */
  rate: number;
  /** An integer; the same seed gives the same mask (for any thread count). It need not be `tf.dropout`'s mask. */
  seed: number;
}

/** Attributes of {@link TunekitDropout}. */
export interface TunekitDropoutAttrs {
  /** Probability that an element is dropped, in [0, 1). */
  rate: number;
  /** The seed of the mask: element i is kept exactly where {@link TunekitDropoutMask}'s mask of x's shape with this seed is non-zero. */
  seed: number;
}

/**
 * Attributes of {@link TunekitAdamW}, computed once per step by core's
 * AdamW. The kernel rounds each to float32 (as tfjs's scalars are) and keeps
 * the op path's float32 operation order, so both give the same bits:
 * m' = β₁·m + (1 − β₁)·g; v' = β₂·v + (1 − β₂)·g²;
 * variable' = variable·decay − (m' / (√v' / correction2 + eps))·stepSize,
 * where g is the gradient times `gradientScale` (rounded to float32 as
 * `tf.mul` would) when that is given.
 */
export interface TunekitAdamWAttrs {
  /** β₁, the first moment's decay. */
  beta1: number;
  /** β₂, the second moment's decay. */
  beta2: number;
  /** 1 − learning rate · weight decay, or exactly 1 when the variable does not decay (then no multiply). */
  decay: number;
  /** √(1 − β₂ᵗ), the second moment's bias correction. */
  correction2: number;
  /** ε, added to the corrected √v. */
  eps: number;
  /** learning rate / (1 − β₁ᵗ), the step with the first moment's bias correction. */
  stepSize: number;
  /** Factor in (0, 1] the gradient is multiplied by first (gradient clipping's `maxNorm / (norm + 1e-6)`); absent or 1: none. */
  gradientScale?: number;
  /**
   * `true`: the caller assigns the outputs to the variable and its moments
   * and so disposes the inputs `variable`, `m` and `v` right after the call.
   * A backend may then write the update into their memory instead of three
   * new buffers — where nothing else can see that memory (no other tensor
   * shares it and it was never read out). The values are the same either way.
   */
  consumesInputs?: boolean;
}

/** Attributes of {@link TunekitAccumulate}. */
export interface TunekitAccumulateAttrs {
  /**
   * `true`: the caller disposes `sum` right after the call, so the backend
   * may write the result into its memory — where nothing else can see that
   * memory (no other tensor shares it and it was never read out). The
   * values are the same either way.
   */
  consumesInputs?: boolean;
}

/** The largest rank r {@link TunekitLoRALinear} and {@link TunekitLoRALinearGrad} take. */
export const LORA_LINEAR_MAX_RANK = 256;

/**
 * Whether `scaling` is one {@link TunekitLoRALinear} takes: a power of two
 * (…, 0.5, 1, 2, …), so multiplying by it before or after a rounding is
 * exact. Callers check it before choosing the kernel; backends, on entry.
 */
export function isExactScaling(scaling: number): boolean {
  if (!(scaling > 0) || !Number.isFinite(scaling)) return false;
  const exponent = Math.log2(scaling);
  return Number.isInteger(exponent) && 2 ** exponent === scaling;
}

/** Attributes of {@link TunekitLoRALinear}. */
export interface TunekitLoRALinearAttrs {
  /** LoRA's scaling (alpha / r): a power of two, so scaling the product before or after rounding gives the same bits. */
  scaling: number;
}

/** Attributes of a kernel that takes none ({@link TunekitLayerNormGrad}): pass `{}`. */
export type NoAttrs = Record<string, never>;

/** The contract of one optional kernel: named inputs, attributes, and the outputs in order. */
export interface OptionalKernelSignature<Inputs, Attrs, Outputs extends readonly unknown[]> {
  /** The tensors, by name. */
  inputs: Inputs;
  /** The attributes. */
  attrs: Attrs;
  /** The tensors returned, in this order (one output: returned alone, see {@link OptionalKernelOutputs}). */
  outputs: Outputs;
}

/**
 * Every optional kernel's contract, by name, for tensors of type `T`. Shapes
 * use B batch, T time, C channels, H heads, F features; `rows` is the
 * product of all axes but the last.
 */
export interface OptionalKernelSignatures<T> {
  /** x any shape → y, the shape of x. */
  [TunekitGelu]: OptionalKernelSignature<{ x: T }, TunekitGeluAttrs, [y: T]>;
  /** dy and x of one shape → dx = dy·GELU'(x). */
  [TunekitGeluGrad]: OptionalKernelSignature<{ dy: T; x: T }, TunekitGeluAttrs, [dx: T]>;
  /** h [..., F] (the matMul's output), bias [F] → y = gelu(h + bias), the shape of h. */
  [TunekitBiasGelu]: OptionalKernelSignature<{ h: T; bias: T }, TunekitGeluAttrs, [y: T]>;
  /** dy (the shape of h), h, bias → dh (the shape of h), dbias (the shape of bias). */
  [TunekitBiasGeluGrad]: OptionalKernelSignature<{ dy: T; h: T; bias: T }, TunekitGeluAttrs, [dh: T, dbias: T]>;
  /** x [..., C], gamma [C], beta [C] → y (the shape of x), mean [rows], rstd [rows] (1/√(variance + epsilon)). */
  [TunekitLayerNorm]: OptionalKernelSignature<{ x: T; gamma: T; beta: T }, TunekitLayerNormAttrs, [y: T, mean: T, rstd: T]>;
  /** dy and x (the forward's), gamma [C], the forward's mean and rstd → dx (the shape of x), dgamma [C], dbeta [C]. */
  [TunekitLayerNormGrad]: OptionalKernelSignature<{ dy: T; x: T; gamma: T; mean: T; rstd: T }, NoAttrs, [dx: T, dgamma: T, dbeta: T]>;
  /**
   * qkv [B, T, 3C] (c_attn's output: q, k, v side by side, heads within
   * each), mask [1 or B, 1, T, T] (additive) → out [B, T, C] (heads
   * merged), stats [B, H, T, 2] (each query row's softmax maximum and
   * normaliser, for the backward; their meaning is the backend's own, only
   * its `…Grad` kernel reads them).
   */
  [TunekitAttention]: OptionalKernelSignature<{ qkv: T; mask: T }, TunekitAttentionAttrs, [out: T, stats: T]>;
  /** dy [B, T, C], and the forward's qkv, mask, out and stats → dqkv, the shape of qkv. */
  [TunekitAttentionGrad]: OptionalKernelSignature<{ dy: T; qkv: T; mask: T; out: T; stats: T }, TunekitAttentionAttrs, [dqkv: T]>;
  /** No inputs → mask, float32 of `shape`: 1/(1 − rate) where kept, 0 where dropped. */
  [TunekitDropoutMask]: OptionalKernelSignature<Record<string, never>, TunekitDropoutMaskAttrs, [mask: T]>;
  /**
   * x any shape, residual (optional) the shape of x → y = residual + x·mask
   * (or x·mask), mask[i] the value of {@link TunekitDropoutMask}'s mask of
   * x's shape and the same rate and seed at i; x·mask is multiplied even
   * where the mask is 0 (so −0 and NaN are as a Multiply would give), then
   * the residual added: the same bits as those kernels, a Multiply and an Add.
   */
  [TunekitDropout]: OptionalKernelSignature<{ x: T; residual?: T }, TunekitDropoutAttrs, [y: T]>;
  /**
   * x [rows, in], weight [in, out], bias [out] → y [rows, out] = x·weight +
   * bias: each element the product rounded to float32, then the bias added
   * (the same bits as a BatchMatMul followed by an Add).
   */
  [TunekitLinear]: OptionalKernelSignature<{ x: T; weight: T; bias: T }, NoAttrs, [y: T]>;
  /**
   * x [rows, in], weight [in, out], bias [out], loraA [r, in], loraB [out, r]
   * (PEFT's layouts; 1 ≤ r ≤ 256) → y [rows, out] = x·weight + bias +
   * scaling·((x·loraAᵀ)·loraBᵀ), with the bits of TunekitLinear, then
   * BatchMatMul(x, loraA, transposeB), BatchMatMul(·, loraB, transposeB), a
   * Multiply by the scaling (skipped at 1) and an Add; and low [rows, r] =
   * x·loraAᵀ, the product the forward formed (for the gradient of loraB).
   */
  [TunekitLoRALinear]: OptionalKernelSignature<{ x: T; weight: T; bias: T; loraA: T; loraB: T }, TunekitLoRALinearAttrs, [y: T, low: T]>;
  /**
   * dy [rows, out], the forward's weight [in, out], dLow [rows, r] (the
   * gradient of x·loraAᵀ: scaling·dy·loraB), loraA [r, in] → dx [rows, in] =
   * dy·weightᵀ + dLow·loraA, with the bits of BatchMatMul(dy, weight,
   * transposeB), BatchMatMul(dLow, loraA) and an Add.
   */
  [TunekitLoRALinearGrad]: OptionalKernelSignature<{ dy: T; weight: T; dLow: T; loraA: T }, NoAttrs, [dx: T]>;
  /** variable, gradient and the moments m, v (float32, one size) → the updated variable, m and v (new tensors; core assigns them). */
  [TunekitAdamW]: OptionalKernelSignature<{ variable: T; gradient: T; m: T; v: T }, TunekitAdamWAttrs, [variable: T, m: T, v: T]>;
  /** sum and part, float32 of one shape → sum + part, with the bits of tfjs's `Add`. */
  [TunekitAccumulate]: OptionalKernelSignature<{ sum: T; part: T }, TunekitAccumulateAttrs, [sum: T]>;
  /**
   * The tensors as an array (like tfjs's `AddN`), float32, any shapes →
   * sums, float32 [count]: entry k is Σx² over tensor k. Core adds the
   * entries in float32 in order, as `AddN` would add `Sum(Square(g))`.
   */
  [TunekitSumOfSquares]: OptionalKernelSignature<readonly T[], NoAttrs, [sums: T]>;
  /**
   * logits [rows, V] float32, labels [rows] int32 (each below V; a negative
   * label, the ignore index −100, masks its row) → loss [rows] (logsumexp −
   * the label's logit; 0 for a masked row), logSumExp [rows] (for the backward).
   */
  [TunekitSoftmaxCrossEntropy]: OptionalKernelSignature<{ logits: T; labels: T }, NoAttrs, [loss: T, logSumExp: T]>;
  /**
   * dy (one value, or [rows]), and the forward's logits, labels and
   * logSumExp → dLogits [rows, V] = (softmax(logits) − onehot(labels))·dy,
   * a zero row where the label is negative.
   */
  [TunekitSoftmaxCrossEntropyGrad]: OptionalKernelSignature<{ dy: T; logits: T; labels: T; logSumExp: T }, NoAttrs, [dLogits: T]>;
}

/** The name of an optional kernel. */
export type OptionalKernelName = keyof OptionalKernelSignatures<unknown>;

/** The inputs of kernel `K`, by name, as tensors of type `T`. */
export type OptionalKernelInputs<K extends OptionalKernelName, T> = OptionalKernelSignatures<T>[K]['inputs'];

/** The attributes of kernel `K`. */
export type OptionalKernelAttrs<K extends OptionalKernelName> = OptionalKernelSignatures<unknown>[K]['attrs'];

/** What kernel `K` returns: its one output alone, or its outputs in order. */
export type OptionalKernelOutputs<K extends OptionalKernelName, T> =
  OptionalKernelSignatures<T>[K]['outputs'] extends [infer Only] ? Only : OptionalKernelSignatures<T>[K]['outputs'];

/**
 * A backend's implementation of kernel `K` on tensors of type `T`, given its
 * backend object `B`: tfjs's `KernelFunc` with the arguments typed.
 */
export type OptionalKernelImplementation<K extends OptionalKernelName, T, B> = (
  inputs: OptionalKernelInputs<K, T>,
  attrs: OptionalKernelAttrs<K>,
  backend: B,
) => OptionalKernelOutputs<K, T>;

/** Every optional kernel's name (for registries, tests and tools that list or unregister them all). */
export const OPTIONAL_KERNEL_NAMES = [
  TunekitGelu,
  TunekitGeluGrad,
  TunekitBiasGelu,
  TunekitBiasGeluGrad,
  TunekitLayerNorm,
  TunekitLayerNormGrad,
  TunekitAttention,
  TunekitAttentionGrad,
  TunekitDropoutMask,
  TunekitDropout,
  TunekitLinear,
  TunekitLoRALinear,
  TunekitLoRALinearGrad,
  TunekitAdamW,
  TunekitAccumulate,
  TunekitSumOfSquares,
  TunekitSoftmaxCrossEntropy,
  TunekitSoftmaxCrossEntropyGrad,
] as const satisfies readonly OptionalKernelName[];

// The list names every kernel: a kernel added to the signatures but not here fails to compile.
const listsEveryKernel: [Exclude<OptionalKernelName, (typeof OPTIONAL_KERNEL_NAMES)[number]>] extends [never] ? true : never = true;
void listsEveryKernel;
