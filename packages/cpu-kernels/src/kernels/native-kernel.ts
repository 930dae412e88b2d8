/** What one overriding kernel provides to the registry. */
import type { KernelFunc } from '@tensorflow/tfjs-core';
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
