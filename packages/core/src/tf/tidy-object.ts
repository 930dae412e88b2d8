/** `tf.tidy` for functions returning our own result interfaces. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` in a tidy scope and keeps the tensors of the returned object.
 * (tfjs's typing accepts only index-signature containers; ours are named interfaces.)
 */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as T;
}
