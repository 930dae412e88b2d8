/** The outputs every example run writes: progress on stdout, a JSONL log and an SVG loss curve. */
import { join } from 'node:path';
import { jsonLog, lossPlot, progressBar, type TrainCallbacks } from '@tunekit/core';

/** Callbacks for a run writing into `directory`; the progress bar only when `progress` is true. */
export function runCallbacks(directory: string, title: string, progress: boolean): { callbacks: TrainCallbacks[]; files: { log: string; plot: string } } {
  const files = { log: join(directory, 'log.jsonl'), plot: join(directory, 'loss.svg') };
  const callbacks = [jsonLog(files.log), lossPlot(files.plot, { title })];
  if (progress) callbacks.unshift(progressBar());
  return { callbacks, files };
}

/** Updates per second and tokens per second over a run's steps. */
export function throughput(steps: readonly { tokens: number; tokensPerSecond: number }[]): { stepsPerSecond: number; tokensPerSecond: number } {
  const seconds = steps.reduce((s, e) => s + e.tokens / e.tokensPerSecond, 0);
  const tokens = steps.reduce((s, e) => s + e.tokens, 0);
  return { stepsPerSecond: seconds ? steps.length / seconds : 0, tokensPerSecond: seconds ? tokens / seconds : 0 };
}
