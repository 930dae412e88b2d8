/**
 * A small SVG line chart (axes, ticks, polylines, legend), enough for loss
 * curves; no dependency, so it also runs in browsers.
 */

/** One line of the chart. */
export interface ChartSeries {
  /** Legend label. */
  name: string;
  /** Points `{x, y}` in data coordinates; non-finite values are skipped. */
  points: readonly { x: number; y: number }[];
  /** Stroke colour. */
  color: string;
  /** Dashed line. */
  dashed?: boolean;
}

/** Options of {@link lineChartSVG}. */
export interface ChartOptions {
  /** Title above the chart. */
  title?: string;
  /** Label of the bottom axis. */
  xLabel?: string;
  /** Label of the left axis. */
  yLabel?: string;
  /** A second x axis along the top: its label and the value shown for a bottom-axis x (e.g. tokens seen). */
  topAxis?: { label: string; valueAt: (x: number) => number };
  /** Width in pixels. Default 640. */
  width?: number;
  /** Height in pixels. Default 400. */
  height?: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `count` round tick values covering [min, max]. */
export function niceTicks(options: { min: number; max: number; count?: number }): number[] {
  const { min, max, count = 5 } = options;
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function label(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

/** Renders the series as a standalone SVG document. */
export function lineChartSVG(series: readonly ChartSeries[], options: ChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const margin = { left: 64, right: 24, top: options.topAxis ? 64 : 40, bottom: 52 };
  const points = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [yMin, yMax] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const pad = (yMax - yMin || Math.abs(yMax) || 1) * 0.05;
  const [y0, y1] = [yMin - pad, yMax + pad];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * plotW : plotW / 2);
  const sy = (y: number) => margin.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
  ];
  for (const t of niceTicks({ min: x0, max: x1 })) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 5}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${label(t)}</text>`);
    if (options.topAxis) out.push(`<text x="${x}" y="${margin.top - 8}" text-anchor="middle" fill="#666">${label(options.topAxis.valueAt(t))}</text>`);
  }
  for (const t of niceTicks({ min: y0, max: y1 })) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${margin.left - 5}" y1="${y}" x2="${margin.left}" y2="${y}" stroke="#444"/><line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`);
  }
  for (const s of series) {
    const coords = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
    if (coords.length === 0) continue;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(coords.length === 1
      ? `<circle cx="${coords[0]?.split(',')[0]}" cy="${coords[0]?.split(',')[1]}" r="3" fill="${s.color}"/>`
      : `<polyline points="${coords.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
  }
  series.forEach((s, i) => {
    const y = margin.top + 14 + i * 18;
    const x = margin.left + plotW - 120;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${x + 30}" y="${y}" dominant-baseline="middle">${escape(s.name)}</text>`);
  });
  if (options.title) out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escape(options.title)}</text>`);
  if (options.xLabel) out.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`);
  if (options.topAxis) out.push(`<text x="${margin.left + plotW / 2}" y="${margin.top - 26}" text-anchor="middle" fill="#666">${escape(options.topAxis.label)}</text>`);
  if (options.yLabel) out.push(`<text x="16" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotH / 2})">${escape(options.yLabel)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
