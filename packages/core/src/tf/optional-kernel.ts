/**
 * Optional fused kernels (defined in @tunekit/backend-spec): a backend may
 * register kernels tfjs does not have (@tunekit/cpu-kernels does for tfjs's
 * cpu backend). Core runs them where the active backend has them, else its
 * op-by-op path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptionalKernelAttrs, OptionalKernelInputs, OptionalKernelName, OptionalKernelOutputs } from '@tunekit/backend-spec';

/** Whether the active tfjs backend registers every one of `kernelNames`. */
export function activeBackendHas(...kernelNames: OptionalKernelName[]): boolean {
  const backend = tf.getBackend();
  return kernelNames.every((name) => tf.getKernel(name, backend) !== undefined);
}

/**
 * `tf.engine().runKernel` for an optional kernel, with its inputs, attributes
 * and outputs typed by the specification (call where {@link activeBackendHas}
 * holds). The casts to tfjs's untyped maps happen here and nowhere else.
 */
export function runOptionalKernel<K extends OptionalKernelName>(
  kernelName: K,
  inputs: OptionalKernelInputs<K, tf.Tensor>,
  attrs: OptionalKernelAttrs<K>,
): OptionalKernelOutputs<K, tf.Tensor> {
  return tf.engine().runKernel(kernelName, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as OptionalKernelOutputs<K, tf.Tensor>;
}
