/**
 * Time per step and time left, from the steps so far. The first step is
 * left out of the per-step time once there is a second: on WebGPU it
 * includes compiling every shader, which would inflate the estimate.
 */

/** The two numbers the status line shows, in ms. */
export interface StepTimes {
  perStepMs: number;
  leftMs: number;
}

/** `steps[i].elapsedMs` is the training time up to and including step i + 1. */
export function stepTimes(steps: readonly { elapsedMs: number }[], totalSteps: number): StepTimes {
  const last = steps.at(-1);
  if (!last) return { perStepMs: 0, leftMs: 0 };
  const first = steps[0]!;
  const perStepMs = steps.length > 1 ? (last.elapsedMs - first.elapsedMs) / (steps.length - 1) : last.elapsedMs;
  return { perStepMs, leftMs: perStepMs * Math.max(0, totalSteps - steps.length) };
}

/** "0.42 s", "12 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
