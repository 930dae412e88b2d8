/**
 * `TunekitAdamW`: one fused AdamW update of a variable (a kernel tfjs does
 * not have; @tunekit/core's AdamW runs it when the active backend has it
 * registered, else its op-by-op version). The op version makes 14 passes
 * over every parameter, each allocating a tensor; this makes one, reading
 * p, g, m, v and writing p', m', v', in the same float32 op order.
 *
 * Inputs { variable, gradient, m, v } (float32, same size); attrs
 * { beta1, beta2, decay (1 − lr·wd, or 1), correction2 (√(1 − β2ᵗ)), eps,
 * stepSize (lr / (1 − β1ᵗ)), gradientScale? (the clipping factor g is
 * multiplied by first, in float32 as tf.mul would; default 1) }; outputs
 * [variable', m', v'].
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { float32Values, makeOutput } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** The kernel name, as @tunekit/core looks it up. */
export const FUSED_ADAMW = 'TunekitAdamW';

export interface FusedAdamWAttrs {
  beta1: number;
  beta2: number;
  decay: number;
  correction2: number;
  eps: number;
  stepSize: number;
  /** Factor applied to the gradient first (gradient clipping); 1 or absent: none. */
  gradientScale?: number;
}

export const adamWKernel: NativeKernel = {
  kernelName: FUSED_ADAMW,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { variable, gradient, m, v } = args.inputs as { variable: TensorInfo; gradient: TensorInfo; m: TensorInfo; v: TensorInfo };
      const a = args.attrs as unknown as FusedAdamWAttrs;
      const values = [variable, gradient, m, v].map((t) => float32Values(backend, t));
      const [p, g, mv, vv] = values;
      if (!p || !g || !mv || !vv || values.some((x) => x?.length !== p.length)) {
        throw new Error(`${FUSED_ADAMW}: variable, gradient and moments must be float32 tensors of one size`);
      }
      const out = [new Float32Array(p.length), new Float32Array(p.length), new Float32Array(p.length)] as const;
      // Float32Array: the hyperparameters are rounded to float32 as tfjs's scalars would be.
      const hyper = Float32Array.from([a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.decay, a.correction2, a.eps, a.stepSize, a.decay !== 1 ? 1 : 0, a.gradientScale ?? 1]);
      addon.adamw(p, g, mv, vv, out[0], out[1], out[2], hyper);
      return out.map((values) => makeOutput(backend, [...variable.shape], values));
    };
  },
};
