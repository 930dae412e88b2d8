/** The contract between things that own variables and the code that trains or saves them. */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that owns variables: the model, a head, an adapter. Names are
 * stable (they key checkpoints) and unique within the source. The trainer
 * trains exactly the variables whose `trainable` flag is set.
 */
export interface ParameterSource {
  /** Variables by stable name. */
  parameters(): Map<string, tf.Variable>;
}

/** Trainable/total counts over several sources, like PEFT's `print_trainable_parameters`. */
export function countTrainable(sources: readonly ParameterSource[]): { trainable: number; total: number; percent: number } {
  let trainable = 0;
  let total = 0;
  const seen = new Set<tf.Variable>();
  for (const source of sources) {
    for (const variable of source.parameters().values()) {
      if (seen.has(variable)) continue; // a tied variable counts once
      seen.add(variable);
      total += variable.size;
      if (variable.trainable) trainable += variable.size;
    }
  }
  return { trainable, total, percent: total ? (100 * trainable) / total : 0 };
}
