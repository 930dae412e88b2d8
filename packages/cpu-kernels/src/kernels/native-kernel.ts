/** What one overriding kernel provides to the registry. */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { OptionalKernelAttrs, OptionalKernelImplementation, OptionalKernelInputs, OptionalKernelName } from '@tunekit/backend-spec';
import type { NativeAddon } from '../native/addon-types';

/**
 * A native override of one tfjs cpu kernel. `create` receives the stock
 * kernel so that inputs the native code does not handle (other dtypes,
 * unusual attributes) go to it unchanged: an override never narrows what
 * the kernel accepts.
 */
export interface NativeKernel {
  kernelName: string;
  create(addon: NativeAddon, stock: KernelFunc): KernelFunc;
  /** A kernel tfjs has no version of (ours only): registered even though no stock one exists. */
  extra?: boolean;
}

/**
 * One of the optional kernels of @tunekit/backend-spec (tfjs has no stock
 * version): `create` returns its implementation with the inputs, attributes
 * and outputs typed by the specification; this adapts it to tfjs's
 * `KernelFunc` calling convention.
 */
export function optionalKernel<K extends OptionalKernelName>(
  kernelName: K,
  create: (addon: NativeAddon) => NoInfer<OptionalKernelImplementation<K, TensorInfo, MathBackendCPU>>,
): NativeKernel {
  return {
    kernelName,
    extra: true,
    create(addon): KernelFunc {
      const run = create(addon);
      return (args) => run(args.inputs as OptionalKernelInputs<K, TensorInfo>, args.attrs as unknown as OptionalKernelAttrs<K>, args.backend as MathBackendCPU) as TensorInfo | TensorInfo[];
    },
  };
}
