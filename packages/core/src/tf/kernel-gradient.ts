/**
 * One kernel's gradient as tfjs's autodiff computes it: the gradient
 * registered for that kernel (core's from ./gradients, or tfjs's own where
 * those were loaded first) called with dy, the tensors the kernel saves for
 * it and the kernel's attributes. A custom-gradient op whose backward replays
 * a chain of kernels in reverse through this, summing repeated inputs' parts
 * in the tape's order, gets the same floats as autodiff of that chain.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidStateError } from '@tunekit/formats';

/** The gradient of one input of the kernel, by input name (`a`, `b`, `x`, `logits`, …). */
export type InputGradient = (input: string) => tf.Tensor;

/**
 * The registered gradient of `kernelName` for output gradient `dy`. `saved`
 * is what the tape would keep: the inputs named in its `inputsToSave`, then
 * the outputs flagged in `outputsToSave`, in that order.
 */
export function kernelGradient(kernelName: string, dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap = {}): InputGradient {
  const config = tf.getGradient(kernelName);
  if (!config) {
    throw new InvalidStateError(`no gradient is registered for the tfjs kernel ${kernelName}`, {
      fix: 'Import @tunekit/core (it registers the gradients training needs) before training, or load @tensorflow/tfjs.',
    });
  }
  const grads = config.gradFunc(dy, saved, attrs) as Record<string, () => tf.Tensor>;
  // As the engine does: each input's gradient in a tidy of its own.
  return (input) => tf.tidy(() => (grads[input] as () => tf.Tensor)());
}
