/**
 * `TunekitLoRALinear`: a LoRA-adapted linear map `x·W + b + s·(x·Aᵀ)·Bᵀ`
 * as two native calls — the [rows, r] product x·Aᵀ, then the base GEMM that
 * adds the bias and the low-rank product to each register tile as it stores
 * it. Op by op the update is a [rows, out] tensor written by one product and
 * read again by an Add (GPT-2 124M with LoRA on its four maps: 48 of each per
 * step). `TunekitLoRALinearGrad` does the same for the input gradient
 * `dy·Wᵀ + dLow·A`, which op by op is two [rows, in] gradients and an Add.
 * Inputs, attributes and outputs: @tunekit/backend-spec's definitions.
 */
import { isExactScaling, LORA_LINEAR_MAX_RANK as MAX_LOW_RANK, TunekitLoRALinear, TunekitLoRALinearGrad } from '@tunekit/backend-spec';
import { makeOutput, requireFloat32 } from './cpu-tensors';
import { outputArray } from './reusable-arrays';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

export const loraLinearKernel = optionalKernel(TunekitLoRALinear, (addon) => ({ x, weight, bias, loraA, loraB }, { scaling }, backend) => {
  const [rows, inDim] = x.shape as [number, number];
  const [weightIn, outDim] = weight.shape as [number, number];
  const rank = loraA.shape[0] as number;
  if (x.shape.length !== 2 || weight.shape.length !== 2 || inDim !== weightIn) {
    throw kernelInputError(TunekitLoRALinear, `x must be [rows, in] and weight [in, out], got [${x.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  }
  if (bias.shape.length !== 1 || bias.shape[0] !== outDim) throw kernelInputError(TunekitLoRALinear, `bias must be [${outDim}] (weight's out), got [${bias.shape.join(', ')}]`);
  if (loraA.shape.length !== 2 || loraA.shape[1] !== inDim || loraB.shape.length !== 2 || loraB.shape[0] !== outDim || loraB.shape[1] !== rank) {
    throw kernelInputError(TunekitLoRALinear, `loraA must be [r, ${inDim}] and loraB [${outDim}, r], got [${loraA.shape.join(', ')}] and [${loraB.shape.join(', ')}]`);
  }
  if (rank < 1 || rank > MAX_LOW_RANK) throw kernelInputError(TunekitLoRALinear, `r must be in [1, ${MAX_LOW_RANK}], got ${rank}`);
  if (!isExactScaling(scaling)) throw kernelInputError(TunekitLoRALinear, `scaling must be a power of two (so that the result has the op path's bits), got ${scaling}`);
  const xValues = requireFloat32(backend, x, TunekitLoRALinear, 'x');
  // x·Aᵀ exactly as BatchMatMul(x, loraA, transposeB) computes it; the second output (the gradient of B reads it).
  const low = outputArray(rows * rank);
  addon.matmul(xValues, requireFloat32(backend, loraA, TunekitLoRALinear, 'loraA'), low, 1, rows, rank, inDim, false, true, null, null);
  const out = outputArray(rows * outDim);
  addon.matmul(
    xValues, requireFloat32(backend, weight, TunekitLoRALinear, 'weight'), out, 1, rows, outDim, inDim, false, false, null, null,
    requireFloat32(backend, bias, TunekitLoRALinear, 'bias'), low, requireFloat32(backend, loraB, TunekitLoRALinear, 'loraB'), rank, true, scaling,
  );
  return [makeOutput(backend, [rows, outDim], out), makeOutput(backend, [rows, rank], low)];
});

export const loraLinearGradKernel = optionalKernel(TunekitLoRALinearGrad, (addon) => ({ dy, weight, dLow, loraA }, _attrs, backend) => {
  const [rows, outDim] = dy.shape as [number, number];
  const [inDim, weightOut] = weight.shape as [number, number];
  const rank = loraA.shape[0] as number;
  if (dy.shape.length !== 2 || weight.shape.length !== 2 || outDim !== weightOut) {
    throw kernelInputError(TunekitLoRALinearGrad, `dy must be [rows, out] and weight [in, out], got [${dy.shape.join(', ')}] and [${weight.shape.join(', ')}]`);
  }
  if (dLow.shape.length !== 2 || dLow.shape[0] !== rows || dLow.shape[1] !== rank || loraA.shape.length !== 2 || loraA.shape[1] !== inDim) {
    throw kernelInputError(TunekitLoRALinearGrad, `dLow must be [${rows}, r] and loraA [r, ${inDim}], got [${dLow.shape.join(', ')}] and [${loraA.shape.join(', ')}]`);
  }
  if (rank < 1 || rank > MAX_LOW_RANK) throw kernelInputError(TunekitLoRALinearGrad, `r must be in [1, ${MAX_LOW_RANK}], got ${rank}`);
  const out = outputArray(rows * inDim);
  addon.matmul(
    requireFloat32(backend, dy, TunekitLoRALinearGrad, 'dy'), requireFloat32(backend, weight, TunekitLoRALinearGrad, 'weight'), out,
    1, rows, inDim, outDim, false, true, null, null, null,
    requireFloat32(backend, dLow, TunekitLoRALinearGrad, 'dLow'), requireFloat32(backend, loraA, TunekitLoRALinearGrad, 'loraA'), rank, false, 1,
  );
  return makeOutput(backend, [rows, inDim], out);
});
