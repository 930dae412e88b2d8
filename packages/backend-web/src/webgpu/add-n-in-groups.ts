/**
 * tfjs-backend-webgpu's AddN binds every input, and its output, as storage
 * buffers of one shader. A device allows `maxStorageBuffersPerShaderStage` of
 * them (8 unless raised), so a wider AddN fails validation and tfjs returns
 * a stale buffer without an error: a gradient norm over 28 tensors came back
 * as 0. This replaces webgpu's AddN with one that adds in groups the device
 * can bind, using the stock kernel for each group.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The slice of tfjs's WebGPUBackend this needs. */
interface WebGPUBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage?: number } };
  disposeData(dataId: object): boolean;
}

/** WebGPU's default `maxStorageBuffersPerShaderStage`. */
const DEFAULT_STORAGE_BUFFERS = 8;

let installed = false;

/** Installs the grouped AddN for tfjs's `webgpu` backend (once; after tfjs-backend-webgpu is loaded). */
export function installGroupedAddN(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (installed || !stock) return;
  installed = true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const backend = args.backend as unknown as WebGPUBackendLike;
      const perShader = (backend.device.limits.maxStorageBuffersPerShaderStage ?? DEFAULT_STORAGE_BUFFERS) - 1; // one is the output
      let level = args.inputs as unknown as tf.TensorInfo[];
      const partials: tf.TensorInfo[] = [];
      while (level.length > perShader) {
        const next: tf.TensorInfo[] = [];
        for (let i = 0; i < level.length; i += perShader) {
          const group = level.slice(i, i + perShader);
          if (group.length === 1) {
            next.push(group[0]!);
            continue;
          }
          const sum = stock.kernelFunc({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
          partials.push(sum);
          next.push(sum);
        }
        level = next;
      }
      const result = stock.kernelFunc({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
      // The partial sums never became tensors, so the engine will not free them.
      for (const partial of partials) backend.disposeData(partial.dataId);
      return result;
    },
  });
}
