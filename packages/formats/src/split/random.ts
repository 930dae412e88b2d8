/**
 * Seeded splits and samples: the same on every machine and in every browser.
 * The generator is the shared {@link SeededRandom}; these helpers start it
 * from the raw seed (no mixing), which the split files written so far rely on.
 * @module
 */
import { SeededRandom } from '../random/seeded-random.js';

/** Returns a generator of floats in [0, 1) for a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  const random = SeededRandom.fromState(seed);
  return () => random.next();
}

/** A shuffled copy (Fisher–Yates), the same for the same seed. */
export function shuffled<T>(items: readonly T[], options: { seed: number }): T[] {
  return SeededRandom.fromState(options.seed).shuffle([...items]);
}
