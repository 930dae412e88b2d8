/**
 * The conformance suite's full-vocabulary step, with everything it computes
 * kept for comparison between backends: GPT-2's real embedding/LM head
 * (50257 × 768) with one block, random weights (seed 1, identical on every
 * backend: core draws them in JavaScript), 32 tokens, loss and the gradient
 * of every parameter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createModel, lmCrossEntropy, type BackendV1 } from '@tunekit/core';

/** Number of tokens in the step, and the model's context length. */
export const STEP_TOKENS = 32;
const CONTEXT = 64;
const VOCAB = 50257;

/** Token ids of the step: spread over the whole vocabulary, so every wte chunk is hit. */
export const STEP_IDS = Array.from({ length: STEP_TOKENS }, (_, t) => (t * 7919) % VOCAB);

/** What one step produced. */
export interface FullVocabularyStep {
  /** Row chunks of `wte` the backend's binding limit asked for. */
  wteChunks: number;
  loss: number;
  /** L2 norm of each parameter's gradient; `wte.weight` over all its chunks. */
  gradNorms: Record<string, number>;
  /** The gradient row of `wte` for a few token ids (first 8 values each). */
  wteGradRows: Record<number, number[]>;
  /** L2 norm of each row of the `wpe` gradient [CONTEXT]. */
  wpeGradRowNorms: number[];
  /** Every gradient value is finite. */
  finite: boolean;
  /** Seconds for the forward and backward pass, read back included. */
  seconds: number;
}

function norm(values: ArrayLike<number>, start = 0, end = values.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += (values[i] as number) ** 2;
  return Math.sqrt(sum);
}

/** Runs the step on `backend` and reads back everything. */
export async function runFullVocabularyStep(backend: BackendV1, rows: readonly number[]): Promise<FullVocabularyStep> {
  const model = await createModel({ numLayers: 1, contextLength: CONTEXT }, { backend, seed: 1 });
  try {
    const labels = [...STEP_IDS.slice(1), -100];
    const named = model.parameters();
    const started = performance.now();
    const { value, grads } = tf.variableGrads(() => lmCrossEntropy(model.transformer([STEP_IDS]).hidden, model.params.wte, labels), [...named.values()]);
    const loss = (await value.data())[0] as number;
    const values = new Map<string, Float32Array>();
    for (const [name, variable] of named) values.set(name, (await (grads[variable.name] as tf.Tensor).data()) as Float32Array);
    const seconds = (performance.now() - started) / 1000;
    tf.dispose([value, ...Object.values(grads)]);

    const dim = model.config.embeddingDim;
    const gradNorms: Record<string, number> = {};
    let wteSquares = 0;
    for (const [name, g] of values) {
      if (name.startsWith('wte.weight')) wteSquares += norm(g) ** 2;
      else gradNorms[name] = norm(g);
    }
    gradNorms['wte.weight'] = Math.sqrt(wteSquares);
    const { chunks, rowOffsets } = model.params.wte;
    const wteGradRows: Record<number, number[]> = {};
    for (const row of rows) {
      let chunk = rowOffsets.length - 1;
      while ((rowOffsets[chunk] as number) > row) chunk--;
      const g = values.get(chunks.length === 1 ? 'wte.weight' : `wte.weight#${chunk}`) as Float32Array;
      const local = row - (rowOffsets[chunk] as number);
      wteGradRows[row] = Array.from(g.subarray(local * dim, local * dim + 8));
    }
    const wpe = values.get('wpe.weight') as Float32Array;
    const wpeGradRowNorms = Array.from({ length: CONTEXT }, (_, t) => norm(wpe, t * dim, (t + 1) * dim));
    const finite = [...values.values()].every((g) => g.every(Number.isFinite));
    return { wteChunks: chunks.length, loss, gradNorms, wteGradRows, wpeGradRowNorms, finite, seconds };
  } finally {
    model.dispose();
  }
}
