/**
 * TunekitAdamW's update written out in float32, one rounding per operation,
 * in the order @tunekit/backend-spec documents (core's op-by-op AdamW): the
 * independent expectation that the native loops must match bit for bit at
 * every SIMD level. Each float32 +, ×, ÷ and √ is the double result rounded
 * once (double has enough bits for that to equal float32 arithmetic).
 */
import type { TunekitAdamWAttrs } from '@tunekit/backend-spec';

const f = Math.fround;

export interface AdamWState {
  p: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** (p, m, v) after one step with gradient g; the attributes are rounded to float32 as the kernel's scalars are. */
export function adamwReference(state: AdamWState, g: Float32Array, a: TunekitAdamWAttrs): AdamWState {
  const [b1, oneMinusB1, b2, oneMinusB2] = [f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2)];
  const [decay, c2, eps, step, scale] = [f(a.decay), f(a.correction2), f(a.eps), f(a.stepSize), f(a.gradientScale ?? 1)];
  const n = g.length;
  const out: AdamWState = { p: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const gi = scale !== 1 ? f((g[i] as number) * scale) : (g[i] as number);
    const m = f(f((state.m[i] as number) * b1) + f(gi * oneMinusB1));
    const v = f(f((state.v[i] as number) * b2) + f(f(gi * gi) * oneMinusB2));
    const decayed = a.decay !== 1 ? f((state.p[i] as number) * decay) : (state.p[i] as number);
    const denominator = f(f(f(Math.sqrt(v)) / c2) + eps);
    out.p[i] = f(decayed - f(f(m / denominator) * step));
    out.m[i] = m;
    out.v[i] = v;
  }
  return out;
}
