import { describe, expect, it } from 'vitest';
import { formatDuration, stepTimes } from './step-times';

describe('stepTimes', () => {
  it('leaves the first (shader-compiling) step out of the per-step time once there is a second', () => {
    // Step 1 took 20 s, steps 2–4 took 2 s each.
    const steps = [20_000, 22_000, 24_000, 26_000].map((elapsedMs) => ({ elapsedMs }));
    expect(stepTimes(steps, 10)).toEqual({ perStepMs: 2_000, leftMs: 12_000 });
  });

  it('uses the first step alone while it is the only one, and nothing is left at the end', () => {
    expect(stepTimes([{ elapsedMs: 500 }], 3)).toEqual({ perStepMs: 500, leftMs: 1_000 });
    expect(stepTimes([{ elapsedMs: 500 }, { elapsedMs: 900 }], 2)).toEqual({ perStepMs: 400, leftMs: 0 });
    expect(stepTimes([], 5)).toEqual({ perStepMs: 0, leftMs: 0 });
  });
});

describe('formatDuration', () => {
  it('reads as a person would say it', () => {
    expect(formatDuration(420)).toBe('0.42 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
  });
});
