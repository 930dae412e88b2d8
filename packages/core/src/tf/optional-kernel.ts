/**
 * Optional fused kernels: a backend may register kernels tfjs does not have
 * (e.g. `TunekitAdamW`; @tunekit/cpu-kernels does for tfjs's cpu backend).
 * Core runs them where the active backend has them, else its op-by-op path.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Whether the active tfjs backend registers every one of `kernelNames`. */
export function activeBackendHas(...kernelNames: string[]): boolean {
  const backend = tf.getBackend();
  return kernelNames.every((name) => tf.getKernel(name, backend) !== undefined);
}
