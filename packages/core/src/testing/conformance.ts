/**
 * The backend conformance suite: the same checks for every backend — forward
 * parity with the PyTorch reference, gradients, LoRA, training steps,
 * generation, memory stability, a full-vocabulary step and a DPO step. Each backend
 * package registers the checks with its own test runner
 * ({@link registerBackendConformance}) or runs them itself
 * ({@link createConformanceSuite}); a check that cannot run is skipped with
 * a stated reason. Values are read with `data()` only (never `dataSync()`),
 * so the suite runs on asynchronous backends such as WebGPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyAdapter } from '../adapters/adapter-set';
import { loadAdapter } from '../adapters/peft-format';
import type { BackendV1 } from '../backend/backend-spec';
import { resolveBackend } from '../backend/resolve-backend';
import { generate } from '../generate/generate';
import { loadModel, type ModelSource } from '../io/load-pretrained';
import { IGNORE_INDEX, lmCrossEntropy } from '../loss/lm-cross-entropy';
import { createModel } from '../model/create-model';
import type { GPT2Model } from '../model/gpt2-model';
import { train } from '../train/trainer';
import { dpoConformanceStep } from './conformance-dpo';
import { type Golden, type GoldenSequence, goldenSequence, loadGolden, tinyGPT2Directory } from './fixtures';

/** Names of the checks. */
export type ConformanceCheckName =
  | 'forward-parity'
  | 'hidden-states'
  | 'gradients'
  | 'lora-parity'
  | 'training-steps'
  | 'generation'
  | 'memory-stability'
  | 'full-vocabulary-step'
  | 'dpo-step';

/** One check: run it, or skip it for the stated reason. */
export interface ConformanceCheck {
  name: ConformanceCheckName;
  /** Why the check is skipped; undefined when it runs. */
  skip?: string;
  run(): Promise<void>;
}

/** Options of the suite. */
export interface ConformanceOptions {
  /** The backend under test. */
  backend: BackendV1;
  /** Absolute tolerance on logits, log-sum-exp, loss and hidden states. Default 1e-4 (use 1e-3 for WebGPU). */
  tolerance?: number;
  /** Relative tolerance on gradient norms and values. Default 10 × `tolerance`. */
  gradientTolerance?: number;
  /** The tiny GPT-2 fixture: a directory, URL or bytes. Default: the shared fixture directory (Node). */
  fixture?: ModelSource;
  /** The LoRA adapter of the fixture: a directory, URL or bytes. Default: `<fixture directory>/lora` (Node). */
  loraFixture?: string | URL | { config: string; weights: Uint8Array };
  /** The golden values. Default: read from the fixture directory (Node). */
  golden?: Golden;
  /** Checks to skip, with the reason for each. */
  skip?: Partial<Record<ConformanceCheckName, string>>;
  /** Where measured differences are reported. Default `console.log`. */
  log?: (message: string) => void;
}

class ConformanceError extends Error { // plain Error: a failed conformance check, reported by the test runner
  override name = 'ConformanceError';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConformanceError(message);
}

function maxDiff(actual: readonly number[], expected: readonly number[]): number {
  check(actual.length === expected.length, `length ${actual.length} ≠ expected ${expected.length}`);
  let max = 0;
  actual.forEach((value, i) => {
    max = Math.max(max, Number.isNaN(value) ? Infinity : Math.abs(value - (expected[i] as number)));
  });
  return max;
}

function closeRelative(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

function norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
  return Math.sqrt(sum);
}

/** Next-token labels: row t predicts ids[t+1]. */
function shiftedLabels(ids: readonly number[]): number[] {
  return [...ids.slice(1), IGNORE_INDEX];
}

/** Builds the checks; call `dispose()` when done to release the shared model. */
export function createConformanceSuite(options: ConformanceOptions): { checks: ConformanceCheck[]; dispose(): void } {
  const tolerance = options.tolerance ?? 1e-4;
  const gradientTolerance = options.gradientTolerance ?? 10 * tolerance;
  const log = options.log ?? ((message: string) => console.log(message));
  let golden: Golden | undefined = options.golden;
  const goldenValues = (): Golden => (golden ??= loadGolden());
  let modelPromise: Promise<GPT2Model> | undefined;
  const model = (): Promise<GPT2Model> => {
    modelPromise ??= resolveBackend(options.backend).then(() => loadModel({ source: options.fixture ?? tinyGPT2Directory(), backend: options.backend }));
    return modelPromise;
  };

  async function logitsRows(m: GPT2Model, sequence: GoldenSequence): Promise<Float32Array[]> {
    const { logits } = m.forward([sequence.ids]);
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    const vocab = m.config.vocabSize;
    return sequence.ids.map((_, t) => values.subarray(t * vocab, (t + 1) * vocab));
  }

  async function helloGradients(m: GPT2Model, variables: Map<string, tf.Variable>): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
    const hello = goldenSequence(goldenValues(), { name: 'hello' });
    const { value, grads } = tf.variableGrads(() => lmCrossEntropy(m.transformer([hello.ids]).hidden, m.params.wte, shiftedLabels(hello.ids)), [...variables.values()]);
    const out = new Map<string, Float32Array>();
    for (const [name, variable] of variables) {
      const grad = grads[variable.name];
      check(grad !== undefined, `no gradient for ${name}`);
      out.set(name, (await (grad as tf.Tensor).data()) as Float32Array);
    }
    const loss = (await value.data())[0] as number;
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, grads: out };
  }

  const runners: Record<ConformanceCheckName, () => Promise<void>> = {
    async 'forward-parity'() {
      const m = await model();
      for (const sequence of goldenValues().sequences) {
        const rows = await logitsRows(m, sequence);
        const vocab = m.config.vocabSize;
        const lse = rows.map((row) => {
          let max = -Infinity;
          for (const v of row) max = Math.max(max, v);
          let sum = 0;
          for (const v of row) sum += Math.exp(v - max);
          return max + Math.log(sum);
        });
        let loss = 0;
        for (let t = 0; t + 1 < rows.length; t++) loss += (lse[t] as number) - ((rows[t] as Float32Array)[sequence.ids[t + 1] as number] as number);
        loss /= rows.length - 1;
        const diffs = {
          first8: maxDiff(rows.flatMap((row) => Array.from(row.subarray(0, 8))), sequence.logits_first8.flat()),
          last4: maxDiff(rows.flatMap((row) => Array.from(row.subarray(vocab - 4))), sequence.logits_last4.flat()),
          logsumexp: maxDiff(lse, sequence.logits_logsumexp),
          loss: Math.abs(loss - sequence.loss),
        };
        log(`forward-parity ${sequence.name}: max abs diff ${JSON.stringify(diffs)}`);
        for (const [what, diff] of Object.entries(diffs)) check(diff <= tolerance, `${sequence.name} ${what}: max abs diff ${diff} > ${tolerance}`);
        const argmax = rows.map((row) => row.indexOf(Math.max(...row)));
        check(argmax.every((id, t) => id === sequence.argmax[t]), `${sequence.name}: argmax ${argmax} ≠ ${sequence.argmax}`);
      }
    },

    async 'hidden-states'() {
      const m = await model();
      const hello = goldenSequence(goldenValues(), { name: 'hello' });
      const out = m.forward([hello.ids], { outputHiddenStates: true });
      const states = [...(out.hiddenStates ?? []), out.hidden as tf.Tensor3D];
      const names = ['embeddings', 'block_0_out', 'block_1_out', 'ln_f_out'] as const;
      check(states.length === names.length, `expected ${names.length} hidden states, got ${states.length}`);
      const report: Record<string, number> = {};
      for (let i = 0; i < names.length; i++) {
        const values = (await (states[i] as tf.Tensor).data()) as Float32Array;
        const channels = m.config.embeddingDim;
        const first8 = hello.ids.flatMap((_, t) => Array.from(values.subarray(t * channels, t * channels + 8)));
        report[names[i] as string] = maxDiff(first8, goldenValues().hidden_states_hello[names[i] as (typeof names)[number]].flat());
      }
      tf.dispose([out.logits, ...states]);
      log(`hidden-states: max abs diff ${JSON.stringify(report)}`);
      for (const [name, diff] of Object.entries(report)) check(diff <= tolerance, `${name}: max abs diff ${diff} > ${tolerance}`);
    },

    async gradients() {
      const m = await model();
      const expected = goldenValues().full_gradients_hello;
      const { loss, grads } = await helloGradients(m, m.parameters());
      check(Math.abs(loss - goldenSequence(goldenValues(), { name: 'hello' }).loss) <= tolerance, `loss ${loss}`);
      let worst = 0;
      for (const [name, expectedNorm] of Object.entries(expected.norms)) {
        const actual = norm(grads.get(name) ?? []);
        worst = Math.max(worst, Math.abs(actual - expectedNorm) / Math.max(1, expectedNorm));
        check(closeRelative(actual, expectedNorm, gradientTolerance), `${name}: gradient norm ${actual}, expected ${expectedNorm}`);
      }
      for (const [name, first4] of Object.entries(expected.first4)) {
        const actual = Array.from((grads.get(name) as Float32Array).subarray(0, 4));
        actual.forEach((v, i) => check(closeRelative(v, first4[i] as number, gradientTolerance), `${name}[${i}]: ${v}, expected ${first4[i]}`));
      }
      log(`gradients: max relative norm diff ${worst.toExponential(2)}`);
    },

    async 'lora-parity'() {
      const m = await model();
      const reference = goldenValues().lora;
      const source = options.loraFixture ?? `${tinyGPT2Directory()}/${reference.adapter_dir}`;
      const adapter = await loadAdapter({ model: m, source, logger: { warn: () => undefined } });
      const set = applyAdapter({ model: m, adapter });
      try {
        const { logits } = m.forward([reference.ids]);
        const values = (await logits.data()) as Float32Array;
        logits.dispose();
        const vocab = m.config.vocabSize;
        const first8 = reference.ids.flatMap((_, t) => Array.from(values.subarray(t * vocab, t * vocab + 8)));
        const diff = maxDiff(first8, reference.logits_first8.flat());
        const { loss, grads } = await helloGradients(m, adapter.parameters());
        log(`lora-parity: logits max abs diff ${diff.toExponential(2)}, loss diff ${Math.abs(loss - reference.loss).toExponential(2)}`);
        check(diff <= tolerance, `LoRA logits: max abs diff ${diff} > ${tolerance}`);
        check(Math.abs(loss - reference.loss) <= tolerance, `LoRA loss ${loss}, expected ${reference.loss}`);
        for (const [name, expectedNorm] of Object.entries(reference.grad_norms)) {
          const actual = norm(grads.get(name) ?? []);
          check(closeRelative(actual, expectedNorm, gradientTolerance), `${name}: gradient norm ${actual}, expected ${expectedNorm}`);
        }
      } finally {
        set.unload();
      }
    },

    async 'training-steps'() {
      const m = await model();
      const sequences = goldenValues().sequences.filter((s) => s.length <= 40);
      const before = new Map<string, Float32Array>();
      for (const [name, variable] of m.parameters()) before.set(name, (await variable.data()) as Float32Array);
      try {
        const result = await train({
          model: m, task: 'causal-lm',
          trainData: sequences.map((s) => ({ inputIds: s.ids })),
          batchSize: sequences.length, maxSteps: 6, shuffle: false,
          optimizer: { learningRate: 3e-3, weightDecay: 0 },
        });
        const losses = result.steps.map((s) => s.loss);
        log(`training-steps: losses ${losses.map((l) => l.toFixed(4)).join(' → ')}`);
        check(losses.length === 6 && losses.every(Number.isFinite), `expected 6 finite losses, got ${losses}`);
        check((losses[5] as number) < (losses[0] as number) - 0.05, `loss did not fall: ${losses[0]} → ${losses[5]}`);
      } finally {
        // Put the fixture weights back for the checks that follow.
        for (const [name, variable] of m.parameters()) variable.assign(tf.tensor(before.get(name) as Float32Array, variable.shape));
      }
    },

    async generation() {
      const m = await model();
      for (const sequence of goldenValues().sequences.filter((s) => s.greedy_10 !== null)) {
        for (const useCache of [false, true]) {
          const { tokens } = await generate({ model: m, prompt: sequence.ids, maxNewTokens: 10, eosTokenId: null, useCache });
          check(tokens.join() === (sequence.greedy_10 as number[]).join(), `${sequence.name} (useCache=${useCache}): greedy ${tokens} ≠ ${sequence.greedy_10}`);
        }
      }
    },

    async 'memory-stability'() {
      const m = await model();
      const hello = goldenSequence(goldenValues(), { name: 'hello' });
      const round = async () => {
        const { logits } = m.forward([hello.ids]);
        await logits.data();
        logits.dispose();
        await helloGradients(m, m.parameters());
        await generate({ model: m, prompt: hello.ids, maxNewTokens: 3 });
      };
      await round();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await round();
      const after = tf.memory().numTensors;
      check(after === before, `tensor count grew from ${before} to ${after} over 3 rounds of forward, gradients and generation`);
    },

    async 'full-vocabulary-step'() {
      // GPT-2's real embedding/LM head (50257 × 768) with one block: on a
      // binding-limited backend the table is chunked to fit.
      const big = await createModel({ numLayers: 1, contextLength: 64 }, { backend: options.backend, seed: 1 });
      try {
        const ids = [Array.from({ length: 32 }, (_, t) => (t * 7919) % 50257)];
        const variables = [...big.parameters().values()];
        const { value, grads } = tf.variableGrads(() => lmCrossEntropy(big.transformer(ids).hidden, big.params.wte, shiftedLabels(ids[0] as number[])), variables);
        const loss = (await value.data())[0] as number;
        const wteGrads = await Promise.all(big.params.wte.chunks.map((c) => (grads[c.name] as tf.Tensor).data()));
        const wteNorm = Math.sqrt(wteGrads.reduce((sum, g) => sum + norm(g) ** 2, 0));
        tf.dispose([value, ...Object.values(grads)]);
        log(`full-vocabulary-step: ${big.params.wte.chunks.length} wte chunk(s), loss ${loss.toFixed(4)}, |grad wte| ${wteNorm.toExponential(3)}`);
        // Random init: the loss is close to ln(50257) = 10.825, and the gradient is finite and non-zero.
        check(Math.abs(loss - Math.log(50257)) < 0.5, `loss ${loss} is not ≈ ln(50257)`);
        check(Number.isFinite(wteNorm) && wteNorm > 0, `wte gradient norm ${wteNorm}`);
      } finally {
        big.dispose();
      }
    },

    async 'dpo-step'() {
      await dpoConformanceStep({ backend: options.backend, tolerance, log, check });
    },
  };

  const checks = (Object.keys(runners) as ConformanceCheckName[]).map((name) => ({ name, skip: options.skip?.[name], run: runners[name] }));
  return {
    checks,
    dispose() {
      void modelPromise?.then((m) => m.dispose());
      modelPromise = undefined;
    },
  };
}

/** The test-runner functions the suite registers with (vitest, jest, mocha and Node's built-in test runner all fit). */
export interface TestRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
  afterAll(body: () => void): void;
  /** The runner's skip (e.g. vitest's `it.skip`); skipped checks are registered through it, the reason in the title. */
  skip?(name: string, body: () => Promise<void>): void;
}

/**
 * Registers the suite with a test runner. A skipped check is registered
 * through the runner's `skip` with its reason in the title (or, for runners
 * without one, as a test that only logs the reason).
 *
 * @example
 * ```ts
 * import { describe, it, afterAll } from 'vitest';
 * registerBackendConformance({ describe, it, afterAll, skip: it.skip }, { backend: webBackend, tolerance: 1e-3 });
 * ```
 */
export function registerBackendConformance(runner: TestRunner, options: ConformanceOptions & { timeoutMs?: number }): void {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const suite = createConformanceSuite(options);
  runner.describe(`backend conformance: ${options.backend.name}`, () => {
    for (const item of suite.checks) {
      if (item.skip) {
        const title = `${item.name} — skipped: ${item.skip}`;
        const note = async () => (options.log ?? console.log)(`conformance ${title}`);
        if (runner.skip) runner.skip(title, note);
        else runner.it(title, note);
        continue;
      }
      runner.it(item.name, () => item.run(), timeoutMs);
    }
    runner.afterAll(() => suite.dispose());
  });
}
