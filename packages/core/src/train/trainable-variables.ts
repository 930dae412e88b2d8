/** The variables a run trains: those with `trainable` set, across all sources, by unique name. */
import { InvalidArgumentError } from '@tunekit/formats';
import type * as tf from '@tensorflow/tfjs-core';
import type { ParameterSource } from '../model/parameter-source';

/**
 * Trainable variables by name, in source order. A variable reachable from two
 * sources (an adapter set and its adapter) counts once; two different
 * variables under one name are an error, since names key checkpoints.
 */
export function trainableVariables(sources: readonly ParameterSource[]): Map<string, tf.Variable> {
  const byName = new Map<string, tf.Variable>();
  const seen = new Set<tf.Variable>();
  for (const source of sources) {
    for (const [name, variable] of source.parameters()) {
      if (!variable.trainable || seen.has(variable)) continue;
      const other = byName.get(name);
      if (other && other !== variable) throw new InvalidArgumentError(`Two different trainable variables are both named "${name}"; parameter names must be unique across the model, heads and adapters`, { fix: 'Rename one of them (a head or adapter name prefix), or train one at a time.' });
      seen.add(variable);
      byName.set(name, variable);
    }
  }
  return byName;
}
