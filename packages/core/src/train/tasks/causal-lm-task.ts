/** Next-token prediction (pre-training or SFT) with the tied LM head. */
import { InvalidStateError, UnsupportedError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { type CausalLMBatch, type CausalLMCollateOptions, collateCausalLM } from '../../data/collate';
import type { CausalLMExample } from '../../data/examples';
import { IGNORE_INDEX, lmCrossEntropy, lmTokenStats } from '../../loss/lm-cross-entropy';
import type { GPT2Model } from '../../model/gpt2-model';
import type { Pass, Task } from './task';

/**
 * Labels per hidden row, row-major: positions the hooks prepend (prompt
 * tuning's virtual tokens come first, so T' = P + T) get the ignore label.
 */
export function rowLabels(labels: readonly number[][], hiddenPositions: number): number[] {
  const flat: number[] = [];
  for (const row of labels) {
    const virtual = hiddenPositions - row.length;
    if (virtual < 0) throw new InvalidStateError(`the model returned ${hiddenPositions} positions for ${row.length} tokens`, { fix: 'This is a tunekit bug: please report it with the adapters in use.' });
    for (let i = 0; i < virtual; i++) flat.push(IGNORE_INDEX);
    for (const label of row) flat.push(label);
  }
  return flat;
}

/** The causal-LM task. */
export function causalLMTask(model: GPT2Model, collate: CausalLMCollateOptions = {}): Task<CausalLMExample, CausalLMBatch> {
  const ignoreIndex = collate.ignoreIndex ?? IGNORE_INDEX;
  if (ignoreIndex !== IGNORE_INDEX) throw new UnsupportedError(`The causal-LM loss ignores ${IGNORE_INDEX}; collate.ignoreIndex ${ignoreIndex} is not supported by the trainer`, { fix: 'Label ignored tokens with -100 (leave collate.ignoreIndex unset).' });
  return {
    kind: 'causal-lm',
    collate: (examples) => collateCausalLM(examples, collate),
    inputLength: (example) => Math.min(example.inputIds.length - 1, collate.maxLength ?? Infinity),
    tokens: (batch) => batch.lengths.reduce((a, b) => a + b, 0),
    loss(batch: CausalLMBatch, pass: Pass): tf.Scalar {
      return tf.tidy(() => {
        const { hidden } = model.transformer(batch.inputIds, pass); // [B, T', C]
        // With checkpointing, memory matters more than the LM head's extra matMul per chunk.
        return lmCrossEntropy(hidden, model.outputEmbedding, rowLabels(batch.labels, hidden.shape[1]), { recompute: pass.blockRunner !== undefined });
      });
    },
    async stats(batch: CausalLMBatch) {
      const { hidden } = model.transformer(batch.inputIds);
      try {
        const { lossSum, correct, count } = await lmTokenStats(hidden, model.outputEmbedding, rowLabels(batch.labels, hidden.shape[1]));
        return { lossSum, correct, count };
      } finally {
        hidden.dispose();
      }
    },
  };
}
