/** Switches tfjs to the cpu backend for a suite, without its "install tfjs-node" banner; a tensor's backing array. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  backend.firstUse = false;
}

/** The cpu backend's own array behind `t`, read without a read-out (dataSync would end its reusability). */
export function arrayOf(t: tf.Tensor): Float32Array {
  return (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values as Float32Array;
}
