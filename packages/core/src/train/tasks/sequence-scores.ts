/** The transformer, pooled at each row's last real token, through a head. */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from '../../model/hooks';
import type { GPT2Model } from '../../model/gpt2-model';
import { lastTokenHidden } from '../../heads/pooling';
import type { SequenceHead } from '../../heads/sequence-head';
import { SeededRandom } from '../../util/random';
import type { Pass } from './task';

/** Head outputs [B, outputDim] for right-padded rows of known lengths. */
export function sequenceScores(model: GPT2Model, head: SequenceHead, inputIds: number[][], lengths: readonly number[], pass: Pass = { training: false, seed: 0 }): tf.Tensor2D {
  return tf.tidy(() => {
    const { hidden } = model.transformer(inputIds, pass); // [B, T', C]
    const pooled = lastTokenHidden(hidden, lengths, (inputIds[0] as number[]).length); // [B, C]
    // The head draws its own dropout seeds, derived from the pass's, so a step stays reproducible.
    const random = new SeededRandom((pass.seed ^ 0x5bd1e995) >>> 0);
    const context: ForwardContext = { training: pass.training, nextSeed: () => random.nextSeed() };
    return head.apply(pooled, { hooks: model.hooks, context });
  });
}
