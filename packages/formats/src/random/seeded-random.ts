/**
 * The one seeded random generator of tunekit (Mulberry32), so that splits,
 * shuffles, initialisation, dropout seeds and sampling give the same numbers
 * on every machine and in every browser. Tiny and fast; not for cryptography.
 * @module
 */

/** Mulberry32's state after `state`, and the float in [0, 1) it yields. */
function mulberry32(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** SplitMix32's finaliser: spreads nearby seeds (0, 1, 2…) over the whole state space. */
function mixSeed(seed: number): number {
  let z = (seed + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded generator whose state can be saved and restored (checkpoints).
 * `new SeededRandom(seed)` mixes the seed first, so seeds 0, 1, 2… start far
 * apart; {@link SeededRandom.fromState} starts from a raw 32-bit state.
 */
export class SeededRandom {
  private state: number;

  /** @param seed - any 32-bit integer; the same seed gives the same sequence */
  constructor(seed: number) {
    this.state = mixSeed(seed >>> 0);
  }

  /** A generator that starts at the raw 32-bit `state` (no seed mixing). */
  static fromState(state: number): SeededRandom {
    const random = new SeededRandom(0);
    random.setState(state);
    return random;
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
    const { state, value } = mulberry32(this.state);
    this.state = state;
    return value;
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

  /** A fresh 31-bit seed, e.g. for tfjs ops that take one. */
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
}
