/**
 * A linear layer's `x·W + b` through the optional kernel `TunekitLinear`
 * (@tunekit/cpu-kernels registers it): one GEMM that adds the bias to each
 * tile as it stores it, instead of a product and then an Add that reads and
 * writes the whole [tokens, out] output again (and allocates it).
 *
 * Its gradient is registered for the kernel name rather than written as a
 * `tf.customGrad`: tfjs evaluates a registered gradient input by input, only
 * for the inputs a gradient is asked of, so a frozen weight (LoRA's base
 * weights, the blocks classification does not train) costs no
 * weight-gradient product, exactly as with `tf.matMul` + `tf.add`. A
 * customGrad would compute all three. The tape keeps x and W, as tf.matMul's
 * gradient does; the products and the column sum are the ones tf.matMul's
 * and the bias add's gradients run, so the floats are the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitLinear } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';

/** The gradient of `TunekitLinear`: dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ over rows of dy. */
export const linearGradient: tf.GradConfig = {
  kernelName: TunekitLinear,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved) => {
    const [x, weight] = saved as [tf.Tensor, tf.Tensor];
    const g = dy as tf.Tensor;
    return {
      x: () => tf.matMul(g, weight, false, true),
      weight: () => tf.matMul(x, g, true, false),
      bias: () => tf.sum(g, 0),
    };
  },
};

/** Registers {@link linearGradient} unless a gradient for the kernel is already registered (a second copy of core). */
export function registerLinearGradient(): void {
  if (tf.getGradient(TunekitLinear) === undefined) tf.registerGradient(linearGradient);
}

/** Whether `x·W + b` can run as one `TunekitLinear` (float32 operands, the kernel registered on the active backend). */
export function canFuseLinear(x2d: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): boolean {
  return x2d.dtype === 'float32' && weight.dtype === 'float32' && bias.dtype === 'float32' && weight.rank === 2 && bias.rank === 1 && activeBackendHas(TunekitLinear);
}

/** `x2d·weight + bias` in one kernel; call only where {@link canFuseLinear} holds. x2d [N, in], weight [in, out], bias [out] → [N, out]. */
export function fusedLinear(x2d: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return runOptionalKernel(TunekitLinear, { x: x2d, weight, bias }, {}) as tf.Tensor2D;
}
