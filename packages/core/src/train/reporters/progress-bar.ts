/**
 * A terminal progress bar for {@link train}: step/total, loss, learning rate,
 * tokens per second and ETA, redrawn in place on a TTY; one line every N
 * steps otherwise (CI logs, files). No dependency.
 */
import type { EvalEvent, StepEvent, TrainCallbacks, TrainStartEvent } from '../events';
import { duration, grouped, metric } from './format';

/** Where the bar is written: a Node stream or anything like it. */
export interface ProgressStream {
  /** Writes text as is. */
  write(text: string): unknown;
  /** True on a terminal: the bar is redrawn in place. */
  isTTY?: boolean;
  /** Terminal width. */
  columns?: number;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Where to write. Default: `process.stdout` in Node, else `console.log` lines. */
  stream?: ProgressStream;
  /** Without a TTY, print a line every this many steps (and the last). Default 10. */
  everySteps?: number;
}

function defaultStream(): ProgressStream {
  const stdout = (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
  return stdout ?? { write: (text: string) => console.log(text.replace(/\n$/, '')) };
}

/** The one-line summary of a step (also used for non-TTY output). */
export function formatStep(event: StepEvent): string {
  const remaining = ((event.totalSteps - event.step) * event.elapsedMs) / Math.max(1, event.step) / 1000;
  return `step ${event.step}/${event.totalSteps} | loss ${metric(event.loss)}${rewards(event.metrics)} | lr ${event.learningRate.toExponential(2)} | ${grouped(event.tokensPerSecond)} tok/s | ETA ${duration(remaining)}`;
}

/** DPO's reward margin, when the task reports it (the accuracy is already shown for evaluations). */
function rewards(metrics: Record<string, number> | undefined): string {
  const margin = metrics?.['rewards/margin'];
  return margin === undefined ? '' : ` margin ${metric(margin)}`;
}

/** The one-line summary of an evaluation. */
export function formatEval(event: EvalEvent): string {
  const part = (name: string, m: EvalEvent['train'] | undefined) => (m ? ` | ${name} loss ${metric(m.loss)} acc ${(100 * m.accuracy).toFixed(2)}%${rewards(m.metrics)}` : '');
  return `eval @ step ${event.step} (epoch ${event.epoch.toFixed(2)})${part('train', event.train)}${part('val', event.val)}`;
}

/** Callbacks that draw a progress bar. */
export function progressBar(options: ProgressBarOptions = {}): TrainCallbacks {
  const stream = options.stream ?? defaultStream();
  const every = options.everySteps ?? 10;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    onStart(event: TrainStartEvent) {
      const resumed = event.resumedFrom ? `, resuming from ${event.resumedFrom}` : '';
      stream.write(`training ${event.task}: ${event.totalSteps} steps, ${grouped(event.trainableParameters)} of ${grouped(event.totalParameters)} parameters trainable${resumed}\n`);
    },
    onStep(event: StepEvent) {
      if (!stream.isTTY) {
        if (event.step % every === 0 || event.step === event.totalSteps) stream.write(`${formatStep(event)}\n`);
        return;
      }
      const text = formatStep(event);
      const width = Math.max(10, Math.min(30, (stream.columns ?? 100) - text.length - 4));
      const filled = Math.round((width * event.step) / event.totalSteps);
      clear();
      stream.write(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      drawn = true;
    },
    onEval(event: EvalEvent) {
      clear();
      stream.write(`${formatEval(event)}\n`);
    },
    onCheckpoint(event) {
      clear();
      stream.write(`checkpoint @ step ${event.step}: ${event.path}\n`);
    },
    onEnd() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
