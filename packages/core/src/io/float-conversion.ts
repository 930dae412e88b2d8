/** Widening of half-precision storage formats to float32. */

/** IEEE-754 binary16 → float32, element by element. */
export function float16ToFloat32(source: Uint16Array): Float32Array {
  const out = new Float32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const h = source[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24; // zero and subnormals
    else if (exponent === 0x1f) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** bfloat16 → float32: bfloat16 is the upper half of a float32. */
export function bfloat16ToFloat32(source: Uint16Array): Float32Array {
  const bits = new Uint32Array(source.length);
  for (let i = 0; i < source.length; i++) bits[i] = (source[i] as number) << 16;
  return new Float32Array(bits.buffer);
}
