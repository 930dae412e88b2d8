/**
 * `TunekitBiasGelu` and `TunekitBiasGeluGrad`: the MLP's `gelu(h + b)` in
 * one pass, and its backward (dh and the bias gradient's column sum) in one
 * pass. Op by op this is an add, the GELU and, backward, a separate
 * [tokens, 4·C] sum for db; @tunekit/core's MLP uses these (with a custom
 * gradient that keeps only h and b) when the active backend has them.
 * Inputs, attributes and outputs: @tunekit/backend-spec's `TunekitBiasGelu`
 * and `TunekitBiasGeluGrad`.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TunekitBiasGelu, TunekitBiasGeluGrad } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32, rowsOverLastAxis, sizeOf } from './cpu-tensors';
import { outputArray, zeroedOutputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

/** [rows, cols] of h, checking that bias has one value per column. */
function rowsCols(h: TensorInfo, bias: TensorInfo, kernel: string): [number, number] {
  return rowsOverLastAxis(h, [bias], { kernel, x: 'h', perColumn: 'bias' });
}

export const biasGeluKernel = optionalKernel(TunekitBiasGelu, (addon) => ({ h, bias }, { approximate }, backend) => {
  const [rows, cols] = rowsCols(h, bias, TunekitBiasGelu);
  const y = outputArray(rows * cols);
  addon.biasGelu(requireFloat32(backend, h, TunekitBiasGelu, 'h'), requireFloat32(backend, bias, TunekitBiasGelu, 'bias'), y, rows, cols, approximate);
  return makeOutput(backend, [...h.shape], y);
});

export const biasGeluGradKernel = optionalKernel(TunekitBiasGeluGrad, (addon) => ({ dy, h, bias }, { approximate }, backend) => {
  const [rows, cols] = rowsCols(h, bias, TunekitBiasGeluGrad);
  if (sizeOf(dy.shape) !== rows * cols) throw kernelInputError(TunekitBiasGeluGrad, `dy must have h's size (${rows * cols}), got [${dy.shape.join(', ')}]`);
  const dh = outputArray(rows * cols);
  const dbias = zeroedOutputArray(cols);
  addon.biasGeluGrad(
    requireFloat32(backend, dy, TunekitBiasGeluGrad, 'dy'), requireFloat32(backend, h, TunekitBiasGeluGrad, 'h'), requireFloat32(backend, bias, TunekitBiasGeluGrad, 'bias'),
    dh, dbias, rows, cols, approximate,
  );
  return [makeOutput(backend, [...h.shape], dh), makeOutput(backend, [...bias.shape], dbias)];
});
