/** Shared helpers of the kernel benchmarks: arguments, timing, output. */
import * as tf from '@tensorflow/tfjs-core';

/** `--name value` / `--flag` from argv. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next === undefined || next.startsWith('--') ? 'true' : next;
}

/** Median of `reps` timed runs after `warmup` untimed ones, in ms. */
export function medianMs(run: () => void, { warmup = 1, reps = 5, budgetMs = 4000 } = {}): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
    // Long cases stop early (at least 2 runs) so a full sweep stays short.
    if (times.length >= 2 && performance.now() - start > budgetMs) break;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
}

/** Runs `fn` in a tidy and forces its result, without letting tidy walk a typed array. */
export function runOp(fn: () => tf.Tensor | tf.Tensor[]): void {
  tf.tidy(() => {
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
  });
}

/** Prints one JSON line. */
export function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

/** Rounds for readable JSON. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Silences tfjs's "install tfjs-node" banner on the cpu backend. */
export function quietCpuBackend(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend) backend.firstUse = false;
}
