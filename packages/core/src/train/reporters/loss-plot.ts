/**
 * The loss curve as SVG: training and validation loss at each evaluation
 * against updates, with tokens seen along the top (the chapters'
 * `plot_losses`); for DPO also the reward metrics (TRL's rewards/chosen,
 * rejected, margin and accuracy), on the same axis. Rewritten atomically
 * after every evaluation.
 */
import type { FileIO } from '../../backend/backend-spec';
import { resolveFiles } from '../../backend/default-backend';
import type { EvalEvent, StepEvent, TrainCallbacks } from '../events';
import { type ChartSeries, lineChartSVG } from './svg-chart';

const METRIC_COLORS: Record<string, string> = { 'rewards/chosen': '#2ca02c', 'rewards/rejected': '#9467bd', 'rewards/margin': '#ff7f0e', 'rewards/accuracy': '#7f7f7f' };

/** One dashed line per task metric (DPO's rewards), from validation metrics when there are any, else training ones. */
function metricSeries(points: readonly { x: number; metrics?: Record<string, number> }[], where: string): ChartSeries[] {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.metrics ?? {})))];
  return names.map((name) => ({
    name: `${name} (${where})`,
    color: METRIC_COLORS[name] ?? '#17becf',
    dashed: true,
    points: points.filter((p) => p.metrics?.[name] !== undefined).map((p) => ({ x: p.x, y: p.metrics?.[name] as number })),
  }));
}

/** Options of {@link lossCurveSVG}. */
export interface LossCurveOptions {
  /** Training steps, drawn as the train-loss line. Default none. */
  steps?: readonly StepEvent[];
  /** Chart title. Default `Loss`. */
  title?: string;
}

/**
 * Renders train vs validation loss at each evaluation; without evaluations,
 * the per-update training loss.
 */
export function lossCurveSVG(evals: readonly EvalEvent[], options: LossCurveOptions = {}): string {
  const steps = options.steps ?? [];
  const series: ChartSeries[] = evals.length
    ? [
        { name: 'training loss', color: '#1f77b4', points: evals.map((e) => ({ x: e.step, y: e.train.loss })) },
        { name: 'validation loss', color: '#d62728', dashed: true, points: evals.filter((e) => e.val).map((e) => ({ x: e.step, y: (e.val as EvalEvent['train']).loss })) },
      ].filter((s) => s.points.length > 0)
    : [{ name: 'training loss (per update)', color: '#1f77b4', points: steps.map((s) => ({ x: s.step, y: s.loss })) }];
  const validated = evals.filter((e) => e.val?.metrics);
  const metrics = evals.length
    ? validated.length
      ? metricSeries(validated.map((e) => ({ x: e.step, metrics: e.val?.metrics })), 'validation')
      : metricSeries(evals.map((e) => ({ x: e.step, metrics: e.train.metrics })), 'training')
    : metricSeries(steps.map((s) => ({ x: s.step, metrics: s.metrics })), 'per update');
  series.push(...metrics);
  const marks = evals.length ? evals.map((e) => [e.step, e.tokensSeen] as const) : steps.map((s) => [s.step, s.tokensSeen] as const);
  const tokensAt = (x: number) => {
    // Linear interpolation of tokens seen between recorded points.
    const after = marks.findIndex(([step]) => step >= x);
    if (after <= 0) return marks[0]?.[1] ?? 0;
    const [s0, t0] = marks[after - 1] as readonly [number, number];
    const [s1, t1] = marks[after] as readonly [number, number];
    return s1 === s0 ? t1 : t0 + ((t1 - t0) * (x - s0)) / (s1 - s0);
  };
  return lineChartSVG(series, { title: options.title ?? 'Loss', xLabel: 'update step', yLabel: metrics.length ? 'loss / reward' : 'loss', topAxis: marks.length > 1 ? { label: 'tokens seen', valueAt: tokensAt } : undefined });
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
  const write = (e: readonly EvalEvent[], s: readonly StepEvent[]) => resolveFiles(options.files).writeFileAtomic(path, lossCurveSVG(e, { steps: s, ...options }));
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
