/** Choosing the next token from a row of logits: greedy or sampled. */
import { InvalidArgumentError } from '@tunekit/formats';
import type { SeededRandom } from '../util/random';

/** How the next token is chosen. */
export interface SamplingOptions {
  /** Softmax temperature; 0 or unset (with no topK/topP) means greedy decoding. */
  temperature?: number;
  /** Keep only the k most likely tokens before sampling. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (nucleus sampling). */
  topP?: number;
  /** Divide positive logits (multiply negative ones) of tokens already in the context by this (> 1 discourages repeats). */
  repetitionPenalty?: number;
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** Whether the options ask for sampling rather than greedy decoding. */
export function isSampling(options: SamplingOptions): boolean {
  return (options.temperature ?? 0) > 0 || options.topK !== undefined || options.topP !== undefined;
}

/** Checks sampling options, naming the bad field. */
export function validateSampling(options: SamplingOptions): void {
  const { temperature, topK, topP, repetitionPenalty } = options;
  if (temperature !== undefined && !(temperature >= 0)) throw new InvalidArgumentError(`temperature must be ≥ 0, got ${temperature}`, { fix: 'Pass temperature ≥ 0 (0 is greedy, 1 samples the model as is).' });
  if (topK !== undefined && !(Number.isInteger(topK) && topK > 0)) throw new InvalidArgumentError(`topK must be a positive integer, got ${topK}`, { fix: 'Pass topK as a whole number ≥ 1 (e.g. 50), or leave it out.' });
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new InvalidArgumentError(`topP must be in (0, 1], got ${topP}`, { fix: 'Pass topP in (0, 1] (e.g. 0.9), or leave it out.' });
  if (repetitionPenalty !== undefined && !(repetitionPenalty > 0)) throw new InvalidArgumentError(`repetitionPenalty must be > 0, got ${repetitionPenalty}`, { fix: 'Pass repetitionPenalty > 0 (1 means none; 1.1 to 1.3 is usual), or leave it out.' });
}

/** Applies the repetition penalty in place (as in the CTRL paper and transformers). */
export function penalizeRepeats(logits: Float32Array, context: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(context)) {
    const value = logits[id] as number;
    logits[id] = value > 0 ? value / penalty : value * penalty;
  }
}

/**
 * Picks the next token: greedy argmax, or temperature → top-k → top-p →
 * sample, the order transformers applies its logits warpers in.
 */
export function chooseToken(logits: Float32Array, options: SamplingOptions, random: SeededRandom): number {
  if (!isSampling(options)) return argmax(logits);
  const temperature = options.temperature && options.temperature > 0 ? options.temperature : 1;
  let order = Array.from(logits.keys()).sort((a, b) => (logits[b] as number) - (logits[a] as number));
  if (options.topK !== undefined) order = order.slice(0, options.topK);
  const max = logits[order[0] as number] as number;
  let probabilities = order.map((id) => Math.exp(((logits[id] as number) - max) / temperature));
  let total = probabilities.reduce((a, b) => a + b, 0);
  if (options.topP !== undefined && options.topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < order.length) {
      cumulative += (probabilities[keep] as number) / total;
      keep++;
      if (cumulative >= options.topP) break;
    }
    order = order.slice(0, keep);
    probabilities = probabilities.slice(0, keep);
    total = probabilities.reduce((a, b) => a + b, 0);
  }
  let threshold = random.next() * total;
  for (let i = 0; i < order.length; i++) {
    threshold -= probabilities[i] as number;
    if (threshold < 0) return order[i] as number;
  }
  return order[order.length - 1] as number;
}
