/**
 * A quick check, run once after loading, that the native code computes
 * what it should on this CPU (a miscompiled or wrongly dispatched SIMD path
 * should disable the addon, not corrupt training).
 */
import type { NativeAddon } from './addon-types';

function referenceMatMul(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += (a[ta ? p * m + i : i * k + p] as number) * (b[tb ? j * k + p : p * n + j] as number);
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}

/** Returns undefined when the addon is right, else what went wrong. */
export function selfTest(addon: NativeAddon): string | undefined {
  // Odd sizes cover partial register tiles; k > 256 crosses a KC block.
  const m = 37;
  const n = 45;
  const k = 300;
  const a = new Float32Array(m * k).map((_, i) => Math.sin(i * 0.37));
  const b = new Float32Array(k * n).map((_, i) => Math.cos(i * 0.11));
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const out = new Float32Array(m * n);
    addon.matmul(a, b, out, 1, m, n, k, ta, tb, null, null);
    const expected = referenceMatMul(a, b, m, n, k, ta, tb);
    for (let i = 0; i < out.length; i++) {
      if (!(Math.abs((out[i] as number) - (expected[i] as number)) <= 1e-3)) {
        return `native matmul self-test failed (transposeA=${ta}, transposeB=${tb}, element ${i}: ${out[i]} vs ${expected[i]})`;
      }
    }
  }
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  const sums = new Float32Array(4);
  addon.scatterAdd(x, new Int32Array([1, 5, 1]), 2, 2, sums);
  if (sums.join() !== '0,0,6,8') return `native scatter-add self-test failed (${sums.join()})`;
  return undefined;
}
