/**
 * Attaches tfjs's `webgpu` engine backend to a device we created ourselves.
 *
 * tfjs-backend-webgpu registers its own factory at import (when `navigator.gpu`
 * exists) that requests a device with its own choices. We replace that factory
 * with one that wraps our device, so the limits, features and `device.lost`
 * handling we set up are the ones the kernels run on.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUNotAvailableError } from '../errors';
import { installGroupedAddN } from './add-n-in-groups';
import type { GPUAdapterInfoLike, GPUDeviceLike, GPULike } from './webgpu-types';

/** tfjs's own priority for webgpu, so auto-selection ranks it as tfjs would. */
const WEBGPU_PRIORITY = 3;

/** A registered engine backend and how to undo the registration. */
export interface AttachedEngine {
  /** Removes the tfjs backend (if still ours) and any `navigator.gpu` we installed. */
  detach(): void;
}

/**
 * tfjs's WebGPUBackend constructor refuses to run unless `navigator.gpu` is
 * truthy, even when handed a device. In Node (or with an explicit `gpu`),
 * install ours; return the undo.
 */
function ensureNavigatorGpu(gpu: GPULike | undefined): () => void {
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (scope.navigator?.gpu) return () => {};
  if (!gpu) throw new WebGPUNotAvailableError('navigator.gpu is undefined and no gpu option was given', { fix: 'Pass gpu (e.g. from createNodeWebGPU() in Node), or run in a browser with WebGPU.' });
  if (scope.navigator === undefined) {
    scope.navigator = { gpu };
    return () => {
      delete scope.navigator;
    };
  }
  Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return () => {
    delete scope.navigator?.gpu;
  };
}

/**
 * Registers tfjs's `webgpu` backend on `device` and makes it the active tfjs
 * backend. Throws {@link WebGPUNotAvailableError} when tfjs cannot start on it.
 */
export async function attachWebGPUEngine(device: GPUDeviceLike, info: GPUAdapterInfoLike, gpu: GPULike | undefined): Promise<AttachedEngine> {
  const restoreNavigator = ensureNavigatorGpu(gpu);
  // Loaded here, not at the top: importing registers ~150 kernels, which a
  // page that falls back to wasm never needs (bundlers split it off).
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  installGroupedAddN();
  const factory = () => new WebGPUBackend(device as never, info as never);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', factory, WEBGPU_PRIORITY);

  const detach = () => {
    if (tf.findBackendFactory('webgpu') === factory) tf.removeBackend('webgpu');
    restoreNavigator();
  };
  if (!(await tf.setBackend('webgpu'))) {
    detach();
    throw new WebGPUNotAvailableError('tfjs could not start its webgpu backend on the device (see the warning tfjs logged above)', { fix: "Read tfjs's warning above for the cause, or use prefer: ['webgpu', 'wasm'] to fall back." });
  }
  return { detach };
}
