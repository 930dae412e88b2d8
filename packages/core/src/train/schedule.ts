/** Learning-rate schedules: linear warmup, then cosine, linear or no decay. */
import { InvalidArgumentError } from '@tunekit/formats';

/** A learning-rate schedule. */
export interface ScheduleOptions {
  /** Updates of linear warmup from lr/warmupSteps up to the peak. Default 0. */
  warmupSteps?: number;
  /** Shape after warmup. Default `'constant'`. */
  decay?: 'cosine' | 'linear' | 'constant';
  /** Floor reached at the last step by `cosine`/`linear`. Default 0. */
  minLearningRate?: number;
}

/** Options of {@link learningRateAt}: the run's length, the peak rate and the schedule. */
export interface LearningRateOptions extends ScheduleOptions {
  /** Updates in the whole run. */
  totalSteps: number;
  /** The learning rate after warmup. */
  peak: number;
}

/**
 * The learning rate of update `step` (0-based) out of `totalSteps`: during
 * warmup `peak·(step+1)/warmupSteps` (no wasted zero-rate first update, as
 * nanoGPT), then from `peak` down to `minLearningRate` at the last update.
 */
export function learningRateAt(step: number, options: LearningRateOptions): number {
  const { totalSteps, peak } = options;
  const schedule: ScheduleOptions = options;
  const warmup = schedule.warmupSteps ?? 0;
  const floor = schedule.minLearningRate ?? 0;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const decaySteps = totalSteps - warmup - 1;
  const progress = decaySteps > 0 ? Math.min(1, (step - warmup) / decaySteps) : 1;
  switch (schedule.decay ?? 'constant') {
    case 'cosine':
      return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    case 'linear':
      return peak - (peak - floor) * progress;
    case 'constant':
      return peak;
    default:
      throw new InvalidArgumentError(`Unknown learning-rate decay "${String(schedule.decay)}" (expected cosine, linear or constant)`, { fix: "Pass decay: 'cosine', 'linear' or 'constant'." });
  }
}

/** Checks a schedule against the run length. */
export function validateSchedule(schedule: ScheduleOptions, totalSteps: number): void {
  const warmup = schedule.warmupSteps ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0) throw new InvalidArgumentError(`schedule.warmupSteps must be a non-negative integer, got ${warmup}`, { fix: 'Pass warmupSteps as a whole number ≥ 0.' });
  if (warmup > totalSteps) throw new InvalidArgumentError(`schedule.warmupSteps (${warmup}) is longer than the run (${totalSteps} steps)`, { fix: 'Lower warmupSteps, or train for more steps.' });
  if (!['cosine', 'linear', 'constant', undefined].includes(schedule.decay)) {
    throw new InvalidArgumentError(`schedule.decay must be 'cosine', 'linear' or 'constant', got ${String(schedule.decay)}`, { fix: "Pass decay: 'cosine', 'linear' or 'constant'." });
  }
}
