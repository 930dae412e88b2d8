/**
 * One run per model. Two `train()` calls on one model interleave their
 * updates (each "completes", both wrong); `generate()` during a run reads
 * weights that change between its tokens. A model in training is marked
 * here; the mark is lifted while the trainer waits for its callbacks, the one
 * moment the weights are still, so a callback may generate samples.
 */
import { TunekitError } from '@tunekit/formats';
import type { GPT2Model } from '../model/gpt2-model';

/** What the model is doing: training, or training and paused in a callback. */
interface ModelActivity {
  paused: boolean;
}

// Keyed weakly: a disposed, dropped model leaves nothing behind.
const running = new WeakMap<GPT2Model, ModelActivity>();

/** The model is being trained; a second run (or generation outside the trainer's callbacks) must wait. Code `model_busy`. */
export class ModelBusyError extends TunekitError {
  /**
   * @param attempt - what was refused: `train()` or `generate()`
   */
  constructor(attempt: 'train()' | 'generate()') {
    super('model_busy', `${attempt}: this model is being trained by another train() call, which changes its weights between steps.`, {
      fix: attempt === 'train()'
        ? 'Await the first run (or stop it with its AbortSignal) before starting another; train a second model for parallel runs.'
        : 'Generate after train() resolves, or from a train() callback (onStep, onEval, onCheckpoint), where the weights are still.',
    });
  }
}

/** Marks `model` as training; throws {@link ModelBusyError} when it already is. Returns the handle that pauses and releases it. */
export function claimModel(model: GPT2Model): { paused<T>(work: () => Promise<T>): Promise<T>; release(): void } {
  if (running.has(model)) throw new ModelBusyError('train()');
  const activity: ModelActivity = { paused: false };
  running.set(model, activity);
  return {
    async paused(work) {
      activity.paused = true;
      try {
        return await work();
      } finally {
        activity.paused = false;
      }
    },
    release() {
      if (running.get(model) === activity) running.delete(model);
    },
  };
}

/** Throws {@link ModelBusyError} when `model` is training and not paused in a callback. */
export function assertNotTraining(model: GPT2Model): void {
  const activity = running.get(model);
  if (activity && !activity.paused) throw new ModelBusyError('generate()');
}
