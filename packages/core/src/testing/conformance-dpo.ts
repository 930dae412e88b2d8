/**
 * The conformance suite's DPO step: a few DPO updates on two token pairs, on
 * the backend under test. Before the first update the policy is its own
 * reference, so the loss must be log 2 to the suite's tolerance; after the
 * updates it must be finite and lower, with the chosen answers' rewards above
 * the rejected ones'. Kept apart from conformance.ts so that the
 * forward/gradient checks and this training check change separately.
 *
 * The model is a small random GPT-2 with a 1024-token vocabulary, not the
 * 50257-wide fixture: DPO's arithmetic (answer masks, per-answer
 * log-probabilities, reference, loss and its gradient) does not depend on the
 * vocabulary's width, while the wide head made this check take over 7 minutes
 * on WebGPU/SwiftShader (measured; the 50257-wide head is covered by the
 * full-vocabulary and training steps). Its output head is untied
 * (`tieWordEmbeddings: false`), so the separate `lm_head` is trained on every
 * backend too.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendV1 } from '../backend/backend-spec';
import type { PreferenceExample } from '../data/examples';
import { IGNORE_INDEX } from '../loss/lm-cross-entropy';
import { createModel } from '../model/create-model';
import { train } from '../train/trainer';

/** The model of the step: small enough for software WebGPU, end-of-text the last id. */
const DPO_MODEL = {
  vocabSize: 1024, contextLength: 32, embeddingDim: 64, numLayers: 2, numHeads: 4, eosTokenId: 1023,
  embeddingDropout: 0, attentionDropout: 0, residualDropout: 0, tieWordEmbeddings: false,
};

/** What {@link dpoConformanceStep} needs from the suite. */
export interface DpoStepOptions {
  /** The backend under test. */
  backend: BackendV1;
  /** Absolute tolerance on the loss. */
  tolerance: number;
  /** Where the measured values go. */
  log: (message: string) => void;
  /** Throws when the condition fails (the suite's error type). */
  check: (condition: boolean, message: string) => void;
}

/** Two pairs of different lengths: a shared three-token prompt, answers ending in the end-of-text id. */
function tinyPairs(): PreferenceExample[] {
  const prompt = [15, 11, 616];
  const eos = DPO_MODEL.eosTokenId;
  const pair = (chosen: number[], rejected: number[], record: number): PreferenceExample => {
    const side = (answer: number[]) => ({ ids: [...prompt, ...answer, eos], labels: [...prompt.map(() => IGNORE_INDEX), ...answer, eos] });
    const [c, r] = [side(chosen), side(rejected)];
    return { chosen: c.ids, chosenLabels: c.labels, rejected: r.ids, rejectedLabels: r.labels, source: { file: '<conformance>', record } };
  };
  return [pair([329, 318, 779], [797, 318, 257, 147, 13], 0), pair([545, 318, 49], [290], 1)];
}

/** Runs the check (see the file comment). */
export async function dpoConformanceStep(options: DpoStepOptions): Promise<void> {
  const { check, log } = options;
  const model = await createModel(DPO_MODEL, { backend: options.backend, seed: 7 });
  try {
    const pairs = tinyPairs();
    const before = tf.memory().numTensors;
    const result = await train({
      model, task: 'dpo', dpo: { beta: 0.1 }, collate: { padTokenId: DPO_MODEL.eosTokenId }, trainData: pairs, valData: pairs, batchSize: 2, maxSteps: 3, evalEvery: 3,
      optimizer: { learningRate: 1e-3, weightDecay: 0 }, shuffle: false,
    });
    const [first, last] = [result.evals[0]?.val, result.evals.at(-1)?.val];
    check(first !== undefined && last !== undefined, 'dpo-step: no evaluations were recorded');
    const start = first?.loss as number;
    const end = last?.loss as number;
    const margin = last?.metrics?.['rewards/margin'] as number;
    log(`dpo-step: loss ${start.toFixed(6)} → ${end.toFixed(6)} after 3 updates (log 2 = ${Math.LN2.toFixed(6)}), reward margin ${margin.toExponential(3)}, step losses ${result.steps.map((s) => s.loss.toFixed(5)).join(', ')}`);
    check(Math.abs(start - Math.LN2) <= options.tolerance, `dpo-step: the loss before any update is ${start}, expected log 2 (policy = reference)`);
    check(Number.isFinite(end) && end < start - 1e-3, `dpo-step: the loss did not fall: ${start} → ${end}`);
    check(margin > 0, `dpo-step: the reward margin after training is ${margin}, expected > 0`);
    check(tf.memory().numTensors === before, `dpo-step: ${tf.memory().numTensors - before} tensors leaked by the DPO steps`);
  } finally {
    model.dispose();
  }
}
