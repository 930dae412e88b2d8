/** Seeded random tensors, so failures reproduce. */
import * as tf from '@tensorflow/tfjs-core';
// tunekit's one seeded generator (Mulberry32), from the raw seed.
import { seededRandom } from '@tunekit/formats';

export { seededRandom };

/** Uniform values in [-scale, scale). */
export function randomValues(size: number, seed: number, scale = 1): Float32Array {
  const next = seededRandom(seed);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (next() * 2 - 1) * scale;
  return values;
}

/** A float32 tensor of uniform values in [-scale, scale). */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape, 'float32');
}
