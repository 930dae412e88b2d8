/**
 * `TunekitLinear`: `x·weight + bias` on the native GEMM with the bias added
 * to each register tile as it is stored, so a linear layer is one pass over
 * its output instead of a product and then an Add over [tokens, out] (~25
 * bias adds per GPT-2 124M forward, each reading and writing the whole
 * output). Inputs, attributes and output: @tunekit/backend-spec's
 * `TunekitLinear`.
 */
import { TunekitLinear } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

export const linearKernel = optionalKernel(TunekitLinear, (addon) => ({ x, weight, bias }, _attrs, backend) => {
  const [rows, inDim] = x.shape as [number, number];
  const [weightIn, outDim] = weight.shape as [number, number];
  if (x.shape.length !== 2 || weight.shape.length !== 2 || inDim !== weightIn) {
    throw kernelInputError(TunekitLinear, `x must be [rows, in] and weight [in, out], got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  }
  if (bias.shape.length !== 1 || bias.shape[0] !== outDim) throw kernelInputError(TunekitLinear, `bias must be [${outDim}] (weight's out), got [${bias.shape.join(', ')}]`);
  const out = outputArray(rows * outDim);
  addon.matmul(
    requireFloat32(backend, x, TunekitLinear, 'x'), requireFloat32(backend, weight, TunekitLinear, 'weight'), out,
    1, rows, outDim, inDim, false, false, null, null, requireFloat32(backend, bias, TunekitLinear, 'bias'),
  );
  return makeOutput(backend, [rows, outDim], out);
});
