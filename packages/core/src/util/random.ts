/**
 * A small seeded random generator (SplitMix32 → Mulberry32). Reproducible
 * initialisation, shuffling, dropout seeds and sampling all derive from it, so
 * a run with the same seed gives the same numbers on every platform.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = SeededRandom.mix(seed >>> 0);
  }

  /** The generator's state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  /** Restores a state obtained from {@link SeededRandom.getState}. */
  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal sample (Box–Muller). */
  nextNormal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A fresh 32-bit seed, e.g. for tfjs ops that take one. */
  nextSeed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  private static mix(seed: number): number {
    let z = (seed + 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
}
