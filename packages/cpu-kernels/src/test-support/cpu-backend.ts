/** Switches tfjs to the cpu backend for a suite, without its "install tfjs-node" banner. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  backend.firstUse = false;
}
