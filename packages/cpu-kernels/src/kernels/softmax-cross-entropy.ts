/**
 * `TunekitSoftmaxCrossEntropy` and `TunekitSoftmaxCrossEntropyGrad`: the LM
 * loss's log-softmax over the vocabulary and its gradient, one pass over the
 * [rows, V] logits each. Op by op (@tunekit/core's loss/lm-cross-entropy.ts)
 * the forward is Max, Sub, Exp, Sum, Log and a gather, and the backward Sub,
 * Exp, OneHot, Cast, Sub and Multiply, each a fresh [rows, V] tensor; here
 * the backward writes its one [rows, V] output and nothing else.
 *
 * Forward: inputs { logits [rows, V] float32, labels [rows] int32 } →
 * [loss [rows] (logsumexp − the label's logit), logSumExp [rows]].
 * Backward: inputs { dy (one value, or [rows]), logits, labels, logSumExp } →
 * dLogits [rows, V] = (softmax(logits) − onehot(labels))·dy.
 * A negative label (the ignore index, −100) masks its row: loss 0 and a zero gradient row.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { zeroedOutputArray } from './reusable-arrays';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad } from '@tunekit/backend-spec';
import { int32Values, makeOutput, requireFloat32, sizeOf } from './cpu-tensors';
import { kernelInputError } from './kernel-errors';
import { optionalKernel } from './native-kernel';

/** [rows, V] of the logits, after checking that labels has one int32 per row below V. */
function rowsCols(backend: MathBackendCPU, logits: TensorInfo, labels: TensorInfo, kernel: string): { rows: number; cols: number; labelValues: Int32Array } {
  const [rows, cols] = logits.shape;
  if (logits.shape.length !== 2 || rows === undefined || cols === undefined || cols < 1) {
    throw kernelInputError(kernel, `logits must be [rows, V] with V ≥ 1, got [${logits.shape.join(', ')}]`);
  }
  const labelValues = int32Values(backend, labels);
  if (!labelValues || sizeOf(labels.shape) !== rows) throw kernelInputError(kernel, `labels must be int32 with one value per row (${rows}), got ${labels.dtype} [${labels.shape.join(', ')}]`);
  for (let r = 0; r < rows; r++) {
    if ((labelValues[r] as number) >= cols) throw kernelInputError(kernel, `label ${labelValues[r]} at row ${r} is not below V = ${cols}`);
  }
  return { rows, cols, labelValues };
}

export const softmaxCrossEntropyKernel = optionalKernel(TunekitSoftmaxCrossEntropy, (addon) => ({ logits, labels }, _attrs, backend) => {
  const { rows, cols, labelValues } = rowsCols(backend, logits, labels, TunekitSoftmaxCrossEntropy);
  const loss = zeroedOutputArray(rows);
  const logSumExp = zeroedOutputArray(rows);
  addon.softmaxCrossEntropy(requireFloat32(backend, logits, TunekitSoftmaxCrossEntropy, 'logits'), labelValues, loss, logSumExp, rows, cols);
  return [makeOutput(backend, [rows], loss), makeOutput(backend, [rows], logSumExp)];
});

export const softmaxCrossEntropyGradKernel = optionalKernel(TunekitSoftmaxCrossEntropyGrad, (addon) => ({ dy, logits, labels, logSumExp }, _attrs, backend) => {
  const kernel = TunekitSoftmaxCrossEntropyGrad;
  const { rows, cols, labelValues } = rowsCols(backend, logits, labels, kernel);
  const dySize = sizeOf(dy.shape);
  if (dySize !== 1 && dySize !== rows) throw kernelInputError(kernel, `dy must hold one value or one per row (${rows}), got [${dy.shape.join(', ')}]`);
  if (sizeOf(logSumExp.shape) !== rows) throw kernelInputError(kernel, `logSumExp must hold one value per row (${rows}), got [${logSumExp.shape.join(', ')}]`);
  const dLogits = zeroedOutputArray(rows * cols);
  addon.softmaxCrossEntropyGrad(
    requireFloat32(backend, logits, kernel, 'logits'), labelValues,
    requireFloat32(backend, logSumExp, kernel, 'logSumExp'), requireFloat32(backend, dy, kernel, 'dy'),
    dLogits, rows, cols,
  );
  return makeOutput(backend, [rows, cols], dLogits);
});
