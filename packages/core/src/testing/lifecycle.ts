/**
 * Lifecycle checks: every way of making a model and letting it go returns
 * the engine's memory (`tf.memory().numBytes` and `numTensors`) to where it
 * was. Run on each backend, because a leaked weight on WebGPU is GPU memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyAdapter } from '../adapters/adapter-set';
import { createLoRA } from '../adapters/lora';
import type { BackendV1 } from '../backend/backend-spec';
import { resolveBackend } from '../backend/resolve-backend';
import { loadModel, type ModelSource } from '../io/load-pretrained';
import { createModel } from '../model/create-model';
import type { GPT2Model } from '../model/gpt2-model';
import { train } from '../train/trainer';
import type { TestRunner } from './conformance';
import { tinyGPT2Directory } from './fixtures';

/** Names of the lifecycle checks. */
export type LifecycleCheckName = 'create-dispose' | 'load-dispose' | 'adapter-remove-dispose' | 'train-dispose';

/** Options of {@link registerLifecycleChecks}. */
export interface LifecycleOptions {
  /** The backend under test. */
  backend: BackendV1;
  /** The tiny GPT-2 fixture: a directory, URL or bytes. Default: the shared fixture directory (Node). */
  fixture?: ModelSource;
  /** Checks to skip, with the reason for each. */
  skip?: Partial<Record<LifecycleCheckName, string>>;
}

/** A small random model: fast on every backend, still every kind of variable. */
const SMALL = { vocabSize: 96, embeddingDim: 32, numLayers: 2, numHeads: 2, contextLength: 32 };

interface MemoryMark {
  numBytes: number;
  numTensors: number;
}

function mark(): MemoryMark {
  const { numBytes, numTensors } = tf.memory();
  return { numBytes, numTensors };
}

function assertBack(before: MemoryMark, what: string): void {
  const after = mark();
  if (after.numBytes !== before.numBytes || after.numTensors !== before.numTensors) {
    throw new Error( // plain Error: a failed lifecycle check is a test assertion, reported by the test runner, not an API error
      `${what} left memory behind: ${after.numTensors - before.numTensors} tensors, ${after.numBytes - before.numBytes} bytes ` +
        `(before ${before.numTensors} tensors / ${before.numBytes} bytes, after ${after.numTensors} / ${after.numBytes})`,
    );
  }
}

/** The checks by name; each creates, uses and disposes, and throws when memory is not back at its starting mark. */
export function lifecycleChecks(options: LifecycleOptions): Record<LifecycleCheckName, () => Promise<void>> {
  const { backend } = options;
  // Measured after the backend has started, so that its own start-up tensors are not counted.
  const start = async (): Promise<MemoryMark> => {
    await resolveBackend(backend);
    return mark();
  };
  return {
    async 'create-dispose'() {
      const before = await start();
      const model = await createModel(SMALL, { backend, seed: 1 });
      if (tf.memory().numTensors === before.numTensors) throw new Error('createModel made no tensors: the check would prove nothing'); // plain Error: a failed lifecycle check is a test assertion, reported by the test runner, not an API error
      model.dispose();
      assertBack(before, 'createModel → dispose');
    },
    async 'load-dispose'() {
      const before = await start();
      const model = await loadModel({ source: options.fixture ?? tinyGPT2Directory(), backend });
      model.dispose();
      assertBack(before, 'loadModel({ source: tiny fixture }) → dispose');
    },
    async 'adapter-remove-dispose'() {
      const before = await start();
      const model = await createModel(SMALL, { backend, seed: 2 });
      const set = applyAdapter({ model, adapter: createLoRA({ model, rank: 4, targetModules: ['c_attn', 'c_proj'] }) });
      const { logits } = model.forward([[1, 2, 3]]);
      await logits.data();
      logits.dispose();
      set.remove('default');
      set.unload();
      model.dispose();
      assertBack(before, 'applyAdapter(LoRA) → forward → remove → dispose');
    },
    async 'train-dispose'() {
      const before = await start();
      const model: GPT2Model = await createModel(SMALL, { backend, seed: 3 });
      const trainData = Array.from({ length: 4 }, (_, i) => ({ inputIds: [1 + i, 2 + i, 3 + i, 4 + i, 5 + i] }));
      await train({ model, task: 'causal-lm', trainData, batchSize: 2, maxSteps: 2 });
      model.dispose();
      assertBack(before, 'train (2 steps) → dispose');
    },
  };
}

/**
 * Registers the lifecycle checks with a test runner (see
 * {@link registerBackendConformance} for the runner shape).
 *
 * @example
 * ```ts
 * registerLifecycleChecks({ describe, it, afterAll, skip: it.skip }, { backend });
 * ```
 */
export function registerLifecycleChecks(runner: TestRunner, options: LifecycleOptions & { timeoutMs?: number }): void {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const checks = lifecycleChecks(options);
  runner.describe(`model lifecycle: ${options.backend.name}`, () => {
    for (const [name, run] of Object.entries(checks) as [LifecycleCheckName, () => Promise<void>][]) {
      const reason = options.skip?.[name];
      if (reason) {
        const title = `${name} — skipped: ${reason}`;
        if (runner.skip) runner.skip(title, async () => {});
        else runner.it(title, async () => console.log(`lifecycle ${title}`));
        continue;
      }
      runner.it(name, run, timeoutMs);
    }
  });
}
