// The one generator must keep the sequences of the three copies it replaced
// (formats' split helper, core's SeededRandom, cpu-kernels' test data): saved
// splits, seeded runs and resumed checkpoints depend on them. The expected
// values were printed by the old implementations before they were removed.
import { describe, expect, it } from 'vitest';
import { SeededRandom, seededRandom, shuffled } from '../index.js';

describe('SeededRandom: the sequences of the implementations it replaced', () => {
  it('seededRandom (raw seed) as formats split/random.ts and cpu-kernels test-support gave them', () => {
    const next = seededRandom(42);
    expect([next(), next(), next()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(shuffled([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { seed: 7 })).toEqual([6, 5, 8, 1, 2, 3, 4, 7, 9, 0]);
  });

  it('new SeededRandom(seed) (mixed seed) as core util/random.ts gave them', () => {
    const random = new SeededRandom(42);
    expect([random.next(), random.next(), random.next()]).toEqual([0.1778232182841748, 0.6313992536161095, 0.49404995795339346]);
    expect(random.nextInt(1000)).toBe(875);
    expect(random.nextNormal()).toBeCloseTo(-0.9733174618678769, 15);
    expect(random.nextSeed()).toBe(1288707538);
    expect(random.getState()).toBe(875970527);
    expect(new SeededRandom(7).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([2, 9, 1, 0, 3, 4, 6, 5, 8, 7]);
    const zero = new SeededRandom(0);
    expect([zero.next(), zero.next()]).toEqual([0.6225702704396099, 0.3551594908349216]);
  });

  it('restores a saved state (checkpoints) and fromState continues the same sequence', () => {
    const random = new SeededRandom(3);
    random.next();
    const saved = random.getState();
    const expected = [random.next(), random.next()];
    expect([SeededRandom.fromState(saved).next(), SeededRandom.fromState(saved).next()]).toEqual([expected[0], expected[0]]);
    const restored = new SeededRandom(99);
    restored.setState(saved);
    expect([restored.next(), restored.next()]).toEqual(expected);
  });
});
