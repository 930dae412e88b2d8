/**
 * A LoRA-adapted linear map `x·W + b + s·(x·Aᵀ)·Bᵀ` through the optional
 * kernels `TunekitLoRALinear` / `TunekitLoRALinearGrad`
 * (@tunekit/cpu-kernels registers them): the low-rank product is added to
 * each tile of the base GEMM as it is stored, in the forward (no [N, out]
 * update and no Add) and in the input gradient `dy·Wᵀ + dLow·A` (no second
 * [N, in] gradient and no Add). Op by op that is 48 updates and 48 input
 * gradients of [N, out] or [N, in] per GPT-2 124M step with LoRA on its four
 * maps.
 *
 * The gradient is registered under the kernel name (as `TunekitLinear`'s
 * is), so tfjs asks only for the inputs that need one: a frozen base weight
 * costs no xᵀ·dy product. Every product is the op path's own, and the
 * scaling is a power of two, so scaling before or after a rounding is the
 * same: the forward and every gradient have the op path's bits (unless a
 * value is subnormal).
 */
import * as tf from '@tensorflow/tfjs-core';
import { isExactScaling, LORA_LINEAR_MAX_RANK, TunekitLoRALinear, TunekitLoRALinearGrad, type TunekitLoRALinearAttrs } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';
import type { LowRankTerm } from './hooks';

/** t·scaling, skipped at 1 (where the op path's scaling skips its pass too). */
function scaled(t: tf.Tensor, scaling: number): tf.Tensor {
  if (scaling === 1) return t;
  const result = tf.mul(t, scaling);
  t.dispose();
  return result;
}

/**
 * The gradient of `TunekitLoRALinear`. The op path differentiates
 * `update = (x·Aᵀ)·Bᵀ`, `s·update` and the add: dUpdate = s·dy, dLow =
 * dUpdate·B, dA = dLowᵀ·x, dB = dUpdateᵀ·(x·Aᵀ), and x's gradient is the
 * base's dy·Wᵀ plus dLow·A. Here dLow is formed once per node (it is [N, r],
 * and both x and A need it) and lives until the backward pass ends; x·Aᵀ
 * is the kernel's second output, kept from the forward ([N, r]).
 */
export const loraLinearGradient: tf.GradConfig = {
  kernelName: TunekitLoRALinear,
  inputsToSave: ['x', 'weight', 'loraA', 'loraB'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, weight, loraA, loraB, low] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    // Two outputs, so tfjs passes [dy, d(low)]; nothing downstream reads low, so its entry is zeros.
    const g = (dys as tf.Tensor[])[0] as tf.Tensor2D;
    const { scaling } = attrs as unknown as TunekitLoRALinearAttrs;
    const dLow = scaled(tf.matMul(g, loraB), scaling); // [N, r]
    return {
      x: () => runOptionalKernel(TunekitLoRALinearGrad, { dy: g, weight, dLow, loraA }, {}),
      weight: () => tf.matMul(x, g, true, false),
      bias: () => tf.sum(g, 0),
      loraA: () => tf.matMul(dLow, x, true, false),
      loraB: () => scaled(tf.matMul(g, low, true, false), scaling),
    };
  },
};

/** Registers {@link loraLinearGradient} unless a gradient for the kernel is already registered (a second copy of core). */
export function registerLoRALinearGradient(): void {
  if (tf.getGradient(TunekitLoRALinear) === undefined) tf.registerGradient(loraLinearGradient);
}

/**
 * Whether `x·W + b` plus `term` can run as one `TunekitLoRALinear`: float32
 * operands, a rank the kernels take, a power-of-two scaling, and both
 * kernels registered on the active backend.
 */
export function canFuseLoRALinear(x2d: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, term: LowRankTerm): boolean {
  const rank = term.a.shape[0] as number;
  return [x2d, weight, bias, term.a, term.b].every((t) => t.dtype === 'float32')
    && weight.rank === 2 && bias.rank === 1 && term.a.rank === 2 && term.b.rank === 2
    && rank >= 1 && rank <= LORA_LINEAR_MAX_RANK && isExactScaling(term.scaling)
    && activeBackendHas(TunekitLoRALinear, TunekitLoRALinearGrad);
}

/** `x2d·W + b + s·(x2d·Aᵀ)·Bᵀ` in one kernel; call only where {@link canFuseLoRALinear} holds. x2d [N, in] → [N, out]. */
export function fusedLoRALinear(x2d: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, term: LowRankTerm): tf.Tensor2D {
  const [y, low] = runOptionalKernel(TunekitLoRALinear, { x: x2d, weight, bias, loraA: term.a, loraB: term.b }, { scaling: term.scaling });
  // The tape keeps its own reference to low when it records (outputsToSave); this one is not needed.
  low.dispose();
  return y as tf.Tensor2D;
}
