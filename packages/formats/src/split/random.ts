/**
 * A small seeded random generator, so splits and samples are the same on
 * every machine and in every browser.
 * @module
 */

/**
 * Returns a generator of floats in [0, 1) for a 32-bit seed (mulberry32:
 * tiny, fast and good enough for shuffling; not for cryptography).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates), the same for the same seed. */
export function shuffled<T>(items: readonly T[], options: { seed: number }): T[] {
  const { seed } = options;
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
