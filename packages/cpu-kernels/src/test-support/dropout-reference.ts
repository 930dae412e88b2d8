/**
 * The dropout mask from its definition (native/dropout-hash.h), in BigInt:
 * SplitMix64's finaliser of the counter base + index·γ, element kept when
 * its top 24 bits as a fraction of 2^24 are ≥ rate (float32). The native
 * kernels compute it in 64-bit vector lanes and test an integer threshold;
 * this is the independent expectation they must match at every SIMD level.
 */
const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** mask[i] = 1/(1 − rate) (float32) where element i is kept, else 0; seed as the addon reads it (an int64, wrapped to uint64). */
export function dropoutMaskReference(n: number, rate: number, seed: number): Float32Array {
  const base = mix64((BigInt.asUintN(64, BigInt(seed)) * GAMMA + 0x632be59bd9b4e019n) & MASK64);
  const rate32 = Math.fround(rate);
  const scale = Math.fround(1 / Math.fround(1 - rate32));
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const bits = Number(mix64((base + BigInt(i) * GAMMA) & MASK64) >> 40n);
    mask[i] = bits / 16777216 >= rate32 ? scale : 0;
  }
  return mask;
}
