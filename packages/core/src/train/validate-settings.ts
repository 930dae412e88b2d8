/**
 * Every numeric setting of `train()` checked in one sweep, before any work:
 * a negative clip, zero epochs or a NaN learning rate would otherwise train
 * the wrong thing (or nothing, or forever) and report success.
 */
import { InvalidSettingError } from './settings-error';
import type { TrainSettings } from './trainer';

const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);

function positiveInteger(value: unknown, option: string): void {
  if (value !== undefined && !(isNumber(value) && Number.isInteger(value) && value >= 1)) throw new InvalidSettingError(option, value, 'a positive integer', `Pass a whole number ≥ 1 for ${option}.`);
}

function nonNegativeInteger(value: unknown, option: string): void {
  if (value !== undefined && !(isNumber(value) && Number.isInteger(value) && value >= 0)) throw new InvalidSettingError(option, value, 'a non-negative integer', `Pass a whole number ≥ 0 for ${option}.`);
}

function positiveFinite(value: unknown, option: string, fix = `Pass a finite number > 0 for ${option}, or leave it out for its default.`): void {
  if (value !== undefined && !(isNumber(value) && Number.isFinite(value) && value > 0)) throw new InvalidSettingError(option, value, 'a finite number > 0', fix);
}

function nonNegativeFinite(value: unknown, option: string): void {
  if (value !== undefined && !(isNumber(value) && Number.isFinite(value) && value >= 0)) throw new InvalidSettingError(option, value, 'a finite number ≥ 0', `Pass a finite number ≥ 0 for ${option}, or leave it out for its default.`);
}

function oneOf(value: unknown, option: string, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) throw new InvalidSettingError(option, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, `Pass one of those values for ${option}, or leave it out for its default.`);
}

/**
 * Throws an {@link InvalidSettingError} naming the first setting that cannot
 * work. `gradientClip: 0` is refused rather than read as "off" (it would
 * mean "clip every gradient to zero"): leave it out to train unclipped.
 */
export function validateTrainSettings(settings: TrainSettings): void {
  positiveInteger(settings.batchSize, 'batchSize');
  positiveFinite(settings.epochs, 'epochs', 'Use a number of passes such as 1 or 0.5; set maxSteps for an exact number of updates.');
  positiveInteger(settings.maxSteps, 'maxSteps');
  positiveInteger(settings.gradientAccumulation, 'gradientAccumulation');
  positiveFinite(settings.gradientClip, 'gradientClip', 'Leave gradientClip out to train without clipping; 1.0 is the usual value.');
  positiveInteger(settings.evalEvery, 'evalEvery');
  positiveInteger(settings.evalBatches, 'evalBatches');
  if (settings.gradientCheckpointing !== undefined && typeof settings.gradientCheckpointing !== 'boolean') {
    throw new InvalidSettingError('gradientCheckpointing', settings.gradientCheckpointing, 'true or false', 'Pass true to recompute activations in the backward pass (less memory), false or nothing to keep them.');
  }
  if (settings.seed !== undefined && !(isNumber(settings.seed) && Number.isInteger(settings.seed))) throw new InvalidSettingError('seed', settings.seed, 'an integer', 'Pass a whole number such as 42, or leave seed out.');

  const optimizer = settings.optimizer ?? {};
  positiveFinite(optimizer.learningRate, 'optimizer.learningRate');
  nonNegativeFinite(optimizer.weightDecay, 'optimizer.weightDecay');
  positiveFinite(optimizer.eps, 'optimizer.eps');
  optimizer.betas?.forEach((beta, i) => {
    if (!(isNumber(beta) && beta >= 0 && beta < 1)) throw new InvalidSettingError(`optimizer.betas[${i}]`, beta, 'in [0, 1)', 'Pass two numbers in [0, 1), e.g. betas: [0.9, 0.999] (the default).');
  });

  const schedule = settings.schedule ?? {};
  nonNegativeInteger(schedule.warmupSteps, 'schedule.warmupSteps');
  oneOf(schedule.decay, 'schedule.decay', ['cosine', 'linear', 'constant']);
  nonNegativeFinite(schedule.minLearningRate, 'schedule.minLearningRate');
  const peak = optimizer.learningRate ?? 5e-5;
  if (schedule.minLearningRate !== undefined && schedule.minLearningRate > peak) {
    throw new InvalidSettingError('schedule.minLearningRate', schedule.minLearningRate, `at most optimizer.learningRate (${peak})`, 'Lower schedule.minLearningRate below the peak, or raise optimizer.learningRate.');
  }

  const stopping = settings.earlyStopping;
  if (stopping) {
    positiveInteger(stopping.patience, 'earlyStopping.patience');
    if (stopping.patience === undefined) throw new InvalidSettingError('earlyStopping.patience', undefined, 'a positive integer', 'Give earlyStopping a patience (evaluations without improvement before stopping), e.g. { patience: 3 }.');
    nonNegativeFinite(stopping.minDelta, 'earlyStopping.minDelta');
    oneOf(stopping.metric, 'earlyStopping.metric', ['loss', 'accuracy']);
  }

  const checkpoint = settings.checkpoint;
  if (checkpoint) {
    if (typeof checkpoint.directory !== 'string' || checkpoint.directory === '') throw new InvalidSettingError('checkpoint.directory', checkpoint.directory, 'a non-empty path', 'Pass checkpoint: { directory: "./checkpoints" } (a folder the run may write), or leave checkpoint out.');
    positiveInteger(checkpoint.every, 'checkpoint.every');
    positiveInteger(checkpoint.keep, 'checkpoint.keep');
  }
}

/** Checks the settings that depend on the run's length (known once the data is counted). */
export function validateRunLength(settings: TrainSettings, totalSteps: number): void {
  const warmup = settings.schedule?.warmupSteps ?? 0;
  if (warmup > totalSteps) throw new InvalidSettingError('schedule.warmupSteps', warmup, `at most the run's ${totalSteps} steps`, 'Lower schedule.warmupSteps, or train for more steps (epochs, maxSteps).');
}
