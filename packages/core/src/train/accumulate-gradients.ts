/** One update's gradients: the mean over `accumulation` consecutive micro-batches. */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchOrder, DataPosition } from '../data/batch-order';
import type { SeededRandom } from '../util/random';
import { checkpointedVariableGrads, GradientCheckpointing } from './gradient-checkpointing';
import { variableGradsOrRelease } from './safe-gradients';
import type { Pass, Task } from './tasks/task';

/**
 * Mean loss and averaged gradients of `accumulation` consecutive batches.
 * With `checkpointing`, each block keeps only its input for backward and is
 * recomputed there (same numbers, less memory).
 */
export async function accumulateGradients(
  task: Task<unknown, unknown>, data: readonly unknown[], order: BatchOrder, start: DataPosition, accumulation: number,
  random: SeededRandom, tfNames: Map<string, string>, variables: tf.Variable[], checkpointing = false,
): Promise<{ loss: number; gradients: Map<string, tf.Tensor>; tokens: number; position: DataPosition }> {
  const gradients = new Map<string, tf.Tensor>();
  // The blocks before the first one that reads a trained variable then keep nothing on the tape.
  const gradientsFor: ReadonlySet<tf.Variable> = new Set(variables);
  let position = start;
  let lossSum = 0;
  let tokens = 0;
  try {
    for (let micro = 0; micro < accumulation; micro++) {
      const batch = task.collate(order.batchAt(position).map((i) => data[i]));
      position = order.next(position);
      tokens += task.tokens(batch);
      const seed = random.nextSeed();
      const { value, grads } = checkpointing ? checkpointedGrads(task, batch, { training: true, seed, gradientsFor }, variables) : variableGradsOrRelease(() => task.loss(batch, { training: true, seed, gradientsFor }), variables);
      lossSum += (await value.data())[0] as number;
      value.dispose();
      for (const [tfName, gradient] of Object.entries(grads)) {
        const name = tfNames.get(tfName) as string;
        const scaled = accumulation === 1 ? gradient : tf.tidy(() => tf.mul(gradient, 1 / accumulation));
        if (scaled !== gradient) gradient.dispose();
        const previous = gradients.get(name);
        gradients.set(name, previous ? tf.add(previous, scaled) : scaled);
        if (previous) tf.dispose([previous, scaled]);
      }
    }
  } catch (error) {
    tf.dispose([...gradients.values()]); // the micro-batches already summed
    throw error;
  }
  return { loss: lossSum / accumulation, gradients, tokens, position };
}

/** One micro-batch's loss and gradients with every block checkpointed. */
function checkpointedGrads(task: Task<unknown, unknown>, batch: unknown, pass: Pass, variables: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const checkpoints = new GradientCheckpointing(variables);
  try {
    return variableGradsOrRelease(() => task.loss(batch, { ...pass, blockRunner: checkpoints.run }), variables, (loss) => checkpointedVariableGrads(loss, variables, checkpoints));
  } finally {
    checkpoints.dispose(); // the anchor, and on failure the blocks' gradients collected so far
  }
}
