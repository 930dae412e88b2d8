/**
 * The live loss chart, drawn on the page as an SVG: every step's loss and a
 * moving average, redrawn at most once per frame as steps arrive. It is
 * written here rather than taken from core's `lineChartSVG` so the page
 * imports no tensor code at all (core's index pulls in tfjs). The SVG has an
 * image role and a label stating the latest numbers, for screen readers.
 */

/** Weight of the newest loss in the moving average. */
const SMOOTHING = 0.3;
const HEIGHT = 260;
const MARGIN = { left: 52, right: 12, top: 28, bottom: 40 };
const SVG_NS = 'http://www.w3.org/2000/svg';

interface Point {
  x: number;
  y: number;
}

/** About five round tick values covering [min, max]. */
function ticks(min: number, max: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(10)));
  return out;
}

function element(name: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export class LossChart {
  private readonly points: Point[] = [];
  private readonly smoothed: Point[] = [];
  private frame = 0;
  private showSmoothed = true;

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

  /** Shows or hides the smoothed line; returns whether it is now shown. */
  toggleSmoothed(): boolean {
    this.showSmoothed = !this.showSmoothed;
    // Drawn now, not on the next frame: the click's effect is painted in the same frame.
    this.draw();
    return this.showSmoothed;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** "no steps yet", or the first and last loss with their steps. */
  private summary(): string {
    const first = this.points[0];
    const last = this.points.at(-1);
    if (!first || !last) return 'Training loss chart: no steps yet';
    return `Training loss chart over ${this.points.length} steps: ${first.y.toFixed(2)} at step ${first.x}, ${last.y.toFixed(2)} at step ${last.x}`;
  }

  private draw(): void {
    const width = Math.max(260, Math.min(720, this.container.clientWidth || 640));
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const finite = this.points.filter((p) => Number.isFinite(p.y));
    const xMax = Math.max(2, ...finite.map((p) => p.x));
    const ys = finite.map((p) => p.y);
    const yMin = ys.length ? Math.min(...ys) : 0;
    const yMax = ys.length ? Math.max(...ys) : 1;
    const pad = (yMax - yMin) * 0.05 || 0.5;
    const [lo, hi] = [yMin - pad, yMax + pad];
    const sx = (x: number) => MARGIN.left + ((x - 1) / (xMax - 1)) * plotW;
    const sy = (y: number) => MARGIN.top + (1 - (y - lo) / (hi - lo)) * plotH;

    const svg = element('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: 'img', 'aria-label': this.summary(), 'font-size': 12, 'font-family': 'system-ui, sans-serif' });
    svg.append(element('text', { x: MARGIN.left, y: 16, 'font-weight': 600, fill: '#1d1d1d' }, 'Training loss (nats) by step'));
    svg.append(element('rect', { x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH, fill: 'none', stroke: '#555' }));
    for (const t of ticks(lo, hi)) {
      svg.append(element('line', { x1: MARGIN.left, x2: MARGIN.left + plotW, y1: sy(t), y2: sy(t), stroke: '#e4e4e4' }));
      svg.append(element('text', { x: MARGIN.left - 6, y: sy(t) + 4, 'text-anchor': 'end', fill: '#333' }, String(Number(t.toPrecision(4)))));
    }
    for (const t of ticks(1, xMax).filter(Number.isInteger)) {
      svg.append(element('text', { x: sx(t), y: MARGIN.top + plotH + 16, 'text-anchor': 'middle', fill: '#333' }, String(t)));
    }
    const line = (points: Point[], color: string, extra: Record<string, string | number> = {}) => {
      const coords = points.filter((p) => Number.isFinite(p.y)).map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
      if (coords.length) svg.append(element('polyline', { points: coords.join(' '), fill: 'none', stroke: color, 'stroke-width': 2.5, ...extra }));
    };
    // Dark blue, thick enough to read (the old light blue line was faint).
    line(this.points, '#1f4e96');
    if (this.showSmoothed) line(this.smoothed, '#c0392b', { 'stroke-dasharray': '6 4', 'stroke-width': 2 });
    const legendY = MARGIN.top + plotH + 32;
    svg.append(element('text', { x: MARGIN.left, y: legendY, fill: '#1f4e96' }, '— batch loss'));
    if (this.showSmoothed) svg.append(element('text', { x: MARGIN.left + 110, y: legendY, fill: '#c0392b' }, '- - smoothed'));
    this.container.replaceChildren(svg);
  }
}
