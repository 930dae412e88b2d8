/**
 * AdamW, dropout and column-sum micro-benchmark at a gpt2-medium 8×92 step's
 * shapes, calling one addon binary directly (no tfjs), so that two builds can
 * be compared: run it once per binary, interleaved, several times.
 *
 *   node kernels/run.mjs elementwise-ab --addon path/to/tunekit_cpu_kernels.node [--label old] [--isa avx2] [--threads N] [--reps 9] [--only text]
 *
 * `--only column` runs the cases whose name contains that text. One JSON line
 * per case: the median of `reps` timed calls after a warm-up.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { NativeAddon, NativeISA } from '../../packages/cpu-kernels/src/native/addon-types';
import { argValue, emit, medianMs, round } from './bench-util';

const TOKENS = 736; // 8 × 92
const WIDTH = 1024; // gpt2-medium

/** Uniform values in [lo, hi) from a fixed linear congruential sequence: the timings do not depend on the values. */
function filled(n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 2 ** 32;
  }
  return out;
}

function adamwCase(addon: NativeAddon, n: number): () => void {
  const [p, g, m] = [filled(n, -1, 1), filled(n, -0.1, 0.1), filled(n, -0.01, 0.01)];
  const v = filled(n, 0, 1e-4);
  // β1, 1−β1, β2, 1−β2, decay, correction2, eps, stepSize, decays, gradientScale (clipping on, as training runs it)
  const hyper = Float32Array.from([0.9, 0.1, 0.999, 0.001, 1 - 1e-5, 0.3, 1e-8, 1e-4, 1, 0.75]);
  return () => addon.adamw(p, g, m, v, p, m, v, hyper);
}

function dropoutCase(addon: NativeAddon, kind: 'mask' | 'apply' | 'apply+residual'): () => void {
  const n = TOKENS * WIDTH;
  const out = new Float32Array(n);
  const x = filled(n, -1, 1);
  const residual = filled(n, -1, 1);
  if (kind === 'mask') return () => addon.dropoutMask(out, 0.1, 42);
  return () => addon.dropoutApply(x, kind === 'apply' ? null : residual, out, 0.1, 42);
}

function columnSumCase(addon: NativeAddon, cols: number): () => void {
  const x = filled(TOKENS * cols, -1, 1);
  const out = new Float32Array(cols);
  return () => addon.reduce(0, x, out, 1, TOKENS, cols);
}

function main(): void {
  const path = argValue('addon');
  if (!path) throw new Error('usage: elementwise-ab --addon path/to/tunekit_cpu_kernels.node [--label name] [--isa level] [--threads N] [--reps N]');
  const addon = createRequire(import.meta.url)(resolve(path)) as NativeAddon;
  const isa = argValue('isa');
  if (isa) addon.setIsa(isa as NativeISA);
  const threads = argValue('threads');
  if (threads) addon.setThreads(Number(threads));
  const reps = Number(argValue('reps') ?? 9);
  const info = addon.info();
  const cases: Array<[string, () => () => void]> = [
    ['adamw in place 4M', () => adamwCase(addon, 4 * 2 ** 20)],
    ['adamw in place 16M', () => adamwCase(addon, 16 * 2 ** 20)],
    ['dropout mask 736×1024', () => dropoutCase(addon, 'mask')],
    ['dropout apply 736×1024', () => dropoutCase(addon, 'apply')],
    ['dropout apply+residual 736×1024', () => dropoutCase(addon, 'apply+residual')],
    ['column sum 736×1024', () => columnSumCase(addon, 1024)],
    ['column sum 736×4096', () => columnSumCase(addon, 4096)],
  ];
  const only = argValue('only');
  for (const [name, make] of cases) {
    if (only && !name.includes(only)) continue;
    const run = make();
    emit({ label: argValue('label') ?? path, case: name, isa: info.isa, threads: info.threads, ms: round(medianMs(run, { warmup: 2, reps, budgetMs: 3000 }), 3) });
  }
}

main();
