/**
 * The live loss chart: core's dependency-free SVG line chart (the one its
 * `lossPlot` reporter writes to disk), redrawn at most once per frame as
 * steps arrive. Raw loss plus a smoothed line, since single batches are noisy.
 */
import { lineChartSvg } from '@tunekit/core';

/** Weight of the newest loss in the moving average. */
const SMOOTHING = 0.3;

export class LossChart {
  private readonly points: { x: number; y: number }[] = [];
  private readonly smoothed: { x: number; y: number }[] = [];
  private frame = 0;

  constructor(private readonly container: HTMLElement) {
    this.draw();
  }

  /** Clears the chart for a new run. */
  reset(): void {
    this.points.length = 0;
    this.smoothed.length = 0;
    this.schedule();
  }

  /** Adds one step's loss. */
  add(step: number, loss: number): void {
    this.points.push({ x: step, y: loss });
    const previous = this.smoothed.at(-1)?.y ?? loss;
    this.smoothed.push({ x: step, y: previous + SMOOTHING * (loss - previous) });
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const width = Math.max(320, Math.min(720, this.container.clientWidth || 640));
    // The SVG is built from numbers and fixed labels only, so innerHTML is safe here.
    this.container.innerHTML = lineChartSvg(
      [
        { name: 'batch loss', points: this.points, color: '#7a9cc6' },
        { name: 'smoothed', points: this.smoothed, color: '#c0392b' },
      ],
      { title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy (nats)', width, height: 300 },
    );
  }
}
