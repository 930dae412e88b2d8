/** Initial values of head weights, reproducible for a seed. */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { float32Variable, variableOf } from '../tf/variables';
import { SeededRandom } from '../util/random';

/** A trainable float32 variable of N(0, std²) values. */
export function normalVariable(shape: [number, number], std: number, seed: number): tf.Variable {
  const random = new SeededRandom(seed);
  const values = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < values.length; i++) values[i] = std * random.nextNormal();
  return float32Variable(values, shape);
}

/** A trainable float32 variable of zeros. */
export function zerosVariable(shape: number[]): tf.Variable {
  return variableOf(() => tf.zeros(shape, 'float32'));
}

/** The input width of a head: the model's `embeddingDim`, or an explicit one. */
export function headInputDim(options: { model?: { config: { embeddingDim: number } }; embeddingDim?: number }, what: string): number {
  const dim = options.model?.config.embeddingDim ?? options.embeddingDim;
  if (!Number.isInteger(dim) || (dim as number) <= 0) {
    throw new InvalidArgumentError(`${what}: pass { model } or a positive integer { embeddingDim }`, { fix: 'Pass { model } (the head takes its width from it) or { embeddingDim: 768 }.' });
  }
  return dim as number;
}
