/**
 * The LM loss's log-softmax over the vocabulary and its gradient through the
 * optional fused kernels `TunekitSoftmaxCrossEntropy` /
 * `TunekitSoftmaxCrossEntropyGrad` (@tunekit/cpu-kernels registers them).
 * Op by op, a chunk's forward makes five [rows, V] tensors (Max's input
 * shifted, Exp, …) and its backward six (Sub, Exp, OneHot, Cast, Sub,
 * Multiply); fused, the forward makes none beyond the logits and the
 * backward one.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad } from '@tunekit/backend-spec';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';

/** Whether the active backend has both fused softmax cross-entropy kernels. */
export function canFuseSoftmaxCrossEntropy(): boolean {
  return activeBackendHas(TunekitSoftmaxCrossEntropy, TunekitSoftmaxCrossEntropyGrad);
}

/** Per row of logits [m, V]: loss (logsumexp − the target's logit) [m] and logsumexp [m]. targets: int32 [m]. */
export function fusedRowLosses(logits: tf.Tensor2D, targets: tf.Tensor1D): { loss: tf.Tensor1D; logSumExp: tf.Tensor1D } {
  const [loss, logSumExp] = runOptionalKernel(TunekitSoftmaxCrossEntropy, { logits, labels: targets }, {});
  return { loss: loss as tf.Tensor1D, logSumExp: logSumExp as tf.Tensor1D };
}

/** d(Σ loss · dy)/d(logits) = (softmax(logits) − onehot(targets))·dy, [m, V]; dy a scalar. */
export function fusedLogitsGrad(dy: tf.Tensor, logits: tf.Tensor2D, targets: tf.Tensor1D, logSumExp: tf.Tensor1D): tf.Tensor2D {
  return runOptionalKernel(TunekitSoftmaxCrossEntropyGrad, { dy, logits, labels: targets, logSumExp }, {}) as tf.Tensor2D;
}
