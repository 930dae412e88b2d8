import { describe, expect, it } from 'vitest';
import { newFloat32Array } from './kernels/fresh-arrays';
import { zeroedOutputArray } from './kernels/reusable-arrays';

// The repository's vitest config sets TUNEKIT_POISON_OUTPUTS=1 (see fresh-arrays.ts).
const poisoning = process.env.TUNEKIT_POISON_OUTPUTS === '1';

describe('new output arrays', () => {
  it('are not zero-filled under Node, each on an ArrayBuffer of its own', () => {
    const a = newFloat32Array(1000);
    const b = newFloat32Array(1000);
    expect(a.zeroed).toBe(false);
    expect(a.array.length).toBe(1000);
    expect(a.array.byteOffset).toBe(0);
    expect(a.array.buffer.byteLength).toBe(4000);
    expect(a.array.buffer).not.toBe(b.array.buffer);
  });

  it.runIf(poisoning)('are NaN-filled in test mode, so a kernel that skips an element fails its parity test', () => {
    const { array } = newFloat32Array(37);
    expect(array.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('zeroedOutputArray still gives zeros', () => {
    const array = zeroedOutputArray(2_000_000);
    expect(array.length).toBe(2_000_000);
    expect(array.every((v) => v === 0)).toBe(true);
  });

  it('handles length 0', () => {
    expect(newFloat32Array(0).array.length).toBe(0);
  });
});
