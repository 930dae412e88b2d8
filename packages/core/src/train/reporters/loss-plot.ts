/**
 * The loss curve as SVG: training and validation loss at each evaluation
 * against updates, with tokens seen along the top (the chapters'
 * `plot_losses`). Rewritten atomically after every evaluation.
 */
import type { FileIO } from '../../backend/backend-spec';
import { resolveFiles } from '../../io/save-pretrained';
import type { EvalEvent, StepEvent, TrainCallbacks } from '../events';
import { lineChartSvg } from './svg-chart';

/** Options of {@link lossCurveSvg}. */
export interface LossCurveOptions {
  /** Chart title. Default `Loss`. */
  title?: string;
}

/**
 * Renders train vs validation loss at each evaluation; without evaluations,
 * the per-update training loss.
 */
export function lossCurveSvg(evals: readonly EvalEvent[], steps: readonly StepEvent[] = [], options: LossCurveOptions = {}): string {
  const series = evals.length
    ? [
        { name: 'training loss', color: '#1f77b4', points: evals.map((e) => ({ x: e.step, y: e.train.loss })) },
        { name: 'validation loss', color: '#d62728', dashed: true, points: evals.filter((e) => e.val).map((e) => ({ x: e.step, y: (e.val as EvalEvent['train']).loss })) },
      ].filter((s) => s.points.length > 0)
    : [{ name: 'training loss (per update)', color: '#1f77b4', points: steps.map((s) => ({ x: s.step, y: s.loss })) }];
  const marks = evals.length ? evals.map((e) => [e.step, e.tokensSeen] as const) : steps.map((s) => [s.step, s.tokensSeen] as const);
  const tokensAt = (x: number) => {
    // Linear interpolation of tokens seen between recorded points.
    const after = marks.findIndex(([step]) => step >= x);
    if (after <= 0) return marks[0]?.[1] ?? 0;
    const [s0, t0] = marks[after - 1] as readonly [number, number];
    const [s1, t1] = marks[after] as readonly [number, number];
    return s1 === s0 ? t1 : t0 + ((t1 - t0) * (x - s0)) / (s1 - s0);
  };
  return lineChartSvg(series, { title: options.title ?? 'Loss', xLabel: 'update step', yLabel: 'loss', topAxis: marks.length > 1 ? { label: 'tokens seen', valueAt: tokensAt } : undefined });
}

/** Options of {@link lossPlot}. */
export interface LossPlotOptions extends LossCurveOptions {
  /** File access. Default: the active backend's, else Node's file system. */
  files?: FileIO;
}

/** Callbacks that keep an SVG loss curve at `path` up to date. */
export function lossPlot(path: string, options: LossPlotOptions = {}): TrainCallbacks {
  const evals: EvalEvent[] = [];
  const steps: StepEvent[] = [];
  const write = (e: readonly EvalEvent[], s: readonly StepEvent[]) => resolveFiles(options.files).writeFileAtomic(path, lossCurveSvg(e, s, options));
  return {
    onStart(event) {
      evals.splice(0, evals.length, ...event.history.evals);
      steps.splice(0, steps.length, ...event.history.steps);
    },
    onStep(event) {
      steps.push(event);
    },
    async onEval(event) {
      evals.push(event);
      await write(evals, steps);
    },
    async onEnd(result) {
      await write(result.evals, result.steps);
    },
  };
}
