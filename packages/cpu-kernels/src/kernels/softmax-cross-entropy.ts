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
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { int32Values, makeOutput, requireFloat32, sizeOf } from './cpu-tensors';
import type { NativeKernel } from './native-kernel';

/** Kernel names, as @tunekit/core looks them up. */
export const SOFTMAX_CROSS_ENTROPY = 'TunekitSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'TunekitSoftmaxCrossEntropyGrad';

/** [rows, V] of the logits, after checking that labels has one int32 per row below V. */
function rowsCols(backend: MathBackendCPU, logits: TensorInfo, labels: TensorInfo, kernel: string): { rows: number; cols: number; labelValues: Int32Array } {
  const [rows, cols] = logits.shape;
  if (logits.shape.length !== 2 || rows === undefined || cols === undefined || cols < 1) {
    throw new Error(`${kernel}: logits must be [rows, V] with V ≥ 1, got [${logits.shape.join(', ')}]`);
  }
  const labelValues = int32Values(backend, labels);
  if (!labelValues || sizeOf(labels.shape) !== rows) throw new Error(`${kernel}: labels must be int32 with one value per row (${rows}), got ${labels.dtype} [${labels.shape.join(', ')}]`);
  for (let r = 0; r < rows; r++) {
    if ((labelValues[r] as number) >= cols) throw new Error(`${kernel}: label ${labelValues[r]} at row ${r} is not below V = ${cols}`);
  }
  return { rows, cols, labelValues };
}

export const softmaxCrossEntropyKernel: NativeKernel = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { logits, labels } = args.inputs as { logits: TensorInfo; labels: TensorInfo };
      const { rows, cols, labelValues } = rowsCols(backend, logits, labels, SOFTMAX_CROSS_ENTROPY);
      const loss = new Float32Array(rows);
      const logSumExp = new Float32Array(rows);
      addon.softmaxCrossEntropy(requireFloat32(backend, logits, SOFTMAX_CROSS_ENTROPY, 'logits'), labelValues, loss, logSumExp, rows, cols);
      return [makeOutput(backend, [rows], loss), makeOutput(backend, [rows], logSumExp)];
    };
  },
};

export const softmaxCrossEntropyGradKernel: NativeKernel = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD,
  extra: true,
  create(addon): KernelFunc {
    return (args) => {
      const backend = args.backend as MathBackendCPU;
      const { dy, logits, labels, logSumExp } = args.inputs as { dy: TensorInfo; logits: TensorInfo; labels: TensorInfo; logSumExp: TensorInfo };
      const { rows, cols, labelValues } = rowsCols(backend, logits, labels, SOFTMAX_CROSS_ENTROPY_GRAD);
      const dySize = sizeOf(dy.shape);
      if (dySize !== 1 && dySize !== rows) throw new Error(`${SOFTMAX_CROSS_ENTROPY_GRAD}: dy must hold one value or one per row (${rows}), got [${dy.shape.join(', ')}]`);
      if (sizeOf(logSumExp.shape) !== rows) throw new Error(`${SOFTMAX_CROSS_ENTROPY_GRAD}: logSumExp must hold one value per row (${rows}), got [${logSumExp.shape.join(', ')}]`);
      const dLogits = new Float32Array(rows * cols);
      addon.softmaxCrossEntropyGrad(
        requireFloat32(backend, logits, SOFTMAX_CROSS_ENTROPY_GRAD, 'logits'), labelValues,
        requireFloat32(backend, logSumExp, SOFTMAX_CROSS_ENTROPY_GRAD, 'logSumExp'), requireFloat32(backend, dy, SOFTMAX_CROSS_ENTROPY_GRAD, 'dy'),
        dLogits, rows, cols,
      );
      return makeOutput(backend, [rows, cols], dLogits);
    };
  },
};
