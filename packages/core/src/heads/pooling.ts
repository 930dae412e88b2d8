/**
 * Pooling a sequence to one hidden state: the state of its last real token
 * (as `GPT2ForSequenceClassification` does). Lengths come from the collator,
 * never from searching for the pad id, because `<|endoftext|>` (50256) is
 * both GPT-2's pad token and a real token that texts may contain.
 */
import { InvalidArgumentError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Hidden state of each row's last real token.
 * @param hidden - transformer output [B, T', C]; T' = T + any virtual (prompt-tuning) positions, which come first
 * @param lengths - real tokens per row (1..T), right padding assumed
 * @param tokens - T, the width of the input ids; positions shift by T' − T
 * @returns [B, C]
 */
export function lastTokenHidden(hidden: tf.Tensor3D, lengths: readonly number[], tokens: number): tf.Tensor2D {
  const [batch, positions, channels] = hidden.shape;
  if (lengths.length !== batch) throw new InvalidArgumentError(`lastTokenHidden: ${lengths.length} lengths for a batch of ${batch}`, { fix: 'Pass one length per row of the batch.' });
  const offset = positions - tokens;
  if (offset < 0) throw new InvalidArgumentError(`lastTokenHidden: hidden has ${positions} positions but the input had ${tokens} tokens`, { fix: 'Pass tokens as the width of the input ids the hidden states came from.' });
  const rows = lengths.map((length, b) => {
    if (!Number.isInteger(length) || length < 1 || length > tokens) {
      throw new InvalidArgumentError(`lastTokenHidden: length ${length} of row ${b} is not in [1, ${tokens}]`, { fix: "Pass each row's count of real tokens (1 to the input width), with right padding." });
    }
    return b * positions + offset + length - 1;
  });
  return tf.tidy(() => tf.gather(tf.reshape(hidden, [batch * positions, channels]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D);
}
