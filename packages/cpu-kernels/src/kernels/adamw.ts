/**
 * `TunekitAdamW`: one fused AdamW update of a variable (a kernel tfjs does
 * not have; @tunekit/core's AdamW runs it when the active backend has it
 * registered, else its op-by-op version). The op version makes 14 passes
 * over every parameter, each allocating a tensor; this makes one, reading
 * p, g, m, v and writing p', m', v', in the same float32 op order — over
 * p, m and v themselves when the caller consumes them and nothing else can
 * see their memory (./reusable-arrays.ts).
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitAdamW`.
 */
import { TunekitAdamW } from '@tunekit/backend-spec';
import { float32Values, makeOutput } from './cpu-tensors';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';
import { outputArray, reusableValues } from './reusable-arrays';

export const adamWKernel = optionalKernel(TunekitAdamW, (addon) => (inputs, a, backend) => {
  const { variable, gradient, m, v } = inputs;
  const values = [variable, gradient, m, v].map((t) => float32Values(backend, t));
  const [p, g, mv, vv] = values;
  if (!p || !g || !mv || !vv || values.some((x) => x?.length !== p.length)) {
    throw kernelInputError(TunekitAdamW, 'variable, gradient and moments must be float32 tensors of one size');
  }
  // With consumesInputs the caller disposes variable, m and v right after: where nothing
  // else can see their arrays, the update goes over them (no three new buffers to
  // allocate, zero and later collect) and the outputs take them over under new dataIds.
  const inPlace = a.consumesInputs === true && reusableValues(backend, variable) === p && reusableValues(backend, m) === mv && reusableValues(backend, v) === vv && new Set([p, mv, vv, g]).size === 4;
  const out = inPlace ? ([p, mv, vv] as const) : ([outputArray(p.length), outputArray(p.length), outputArray(p.length)] as const);
  // Float32Array: the hyperparameters are rounded to float32 as tfjs's scalars would be.
  const hyper = Float32Array.from([a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.decay, a.correction2, a.eps, a.stepSize, a.decay !== 1 ? 1 : 0, a.gradientScale ?? 1]);
  addon.adamw(p, g, mv, vv, out[0], out[1], out[2], hyper);
  const shape = [...variable.shape];
  return [makeOutput(backend, shape, out[0]), makeOutput(backend, shape, out[1]), makeOutput(backend, shape, out[2])];
});
