/**
 * `TunekitLayerNorm` and `TunekitLayerNormGrad`: GPT-2's layer norm over the
 * last axis in one pass each (llm.c's layernorm_forward/backward). Op by op
 * it is ~6 kernels forward and ~25 backward, and the tape keeps the centred
 * input, its square, the normalised input and more ([tokens, C] each); with
 * these, @tunekit/core's layerNorm keeps only x, gamma and two floats per row.
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitLayerNorm`
 * and `TunekitLayerNormGrad`.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TunekitLayerNorm, TunekitLayerNormGrad } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32, rowsOverLastAxis, sizeOf } from './cpu-tensors';
import { outputArray, zeroedOutputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

/** [rows, cols] of x, checking gamma's (and beta's) length against the last axis. */
function rowsCols(x: TensorInfo, params: TensorInfo[], kernel: string): [number, number] {
  return rowsOverLastAxis(x, params, { kernel, x: 'x', perColumn: 'gamma and beta' });
}

export const layerNormKernel = optionalKernel(TunekitLayerNorm, (addon) => ({ x, gamma, beta }, { epsilon }, backend) => {
  const [rows, cols] = rowsCols(x, [gamma, beta], TunekitLayerNorm);
  const out = outputArray(rows * cols);
  const mean = zeroedOutputArray(rows);
  const rstd = zeroedOutputArray(rows);
  addon.layerNorm(
    requireFloat32(backend, x, TunekitLayerNorm, 'x'), requireFloat32(backend, gamma, TunekitLayerNorm, 'gamma'), requireFloat32(backend, beta, TunekitLayerNorm, 'beta'),
    out, mean, rstd, rows, cols, epsilon,
  );
  return [makeOutput(backend, [...x.shape], out), makeOutput(backend, [rows], mean), makeOutput(backend, [rows], rstd)];
});

export const layerNormGradKernel = optionalKernel(TunekitLayerNormGrad, (addon) => ({ dy, x, gamma, mean, rstd }, _attrs, backend) => {
  const [rows, cols] = rowsCols(x, [gamma], TunekitLayerNormGrad);
  if (sizeOf(dy.shape) !== rows * cols) throw kernelInputError(TunekitLayerNormGrad, "dy must have x's size");
  if (sizeOf(mean.shape) !== rows || sizeOf(rstd.shape) !== rows) throw kernelInputError(TunekitLayerNormGrad, `mean and rstd must have one value per row (${rows})`);
  const dx = outputArray(rows * cols);
  const dgamma = zeroedOutputArray(cols);
  const dbeta = zeroedOutputArray(cols);
  addon.layerNormGrad(
    requireFloat32(backend, dy, TunekitLayerNormGrad, 'dy'), requireFloat32(backend, x, TunekitLayerNormGrad, 'x'), requireFloat32(backend, gamma, TunekitLayerNormGrad, 'gamma'),
    requireFloat32(backend, mean, TunekitLayerNormGrad, 'mean'), requireFloat32(backend, rstd, TunekitLayerNormGrad, 'rstd'), dx, dgamma, dbeta, rows, cols,
  );
  return [makeOutput(backend, [...x.shape], dx), makeOutput(backend, [...gamma.shape], dgamma), makeOutput(backend, [...gamma.shape], dbeta)];
});
