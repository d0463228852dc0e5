/**
 * A time-series chart as a PNG: thin coloured lines (e.g. the mean NDVI of sampled parcels), an optional
 * thick summary line (the median of all parcels), dates along a time axis, values up the side, a title and
 * a legend. Gaps (NaN: no valid pixel that date) break a line; a lone value is still drawn as a dot.
 *
 * @example
 * const png = timeSeriesChartPng({ title: 'NDVI: MEAN PER PARCEL', dates: ['2023-08-13T10:00:00Z', …],
 *   lines: [[0.61, 0.64, 0.2]], summary: [0.5, 0.52, 0.4], legend: ['1 PARCEL', 'MEDIAN OF 100'] });
 */
import { axisTicks, tickLabel } from './axisTicks.ts';
import { Canvas, GRID, INK, MUTED, type Rgb } from './canvas.ts';
import { GLYPH_ADVANCE, textWidth } from './bitmapFont.ts';

export interface TimeSeriesChart {
  title: string;
  /** ISO datetimes, one per point; null places the point by its index instead. */
  dates: (string | null)[];
  lines: ArrayLike<number>[];
  summary?: ArrayLike<number>;
  /** Labels of the thin lines and of the summary line, in that order. */
  legend: [string, string?];
  /** Words above the value axis, e.g. the band's name. */
  yCaption?: string;
  width?: number;
  height?: number;
}

/** Tableau 10: distinguishable colours for the thin lines. */
export const PALETTE: Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

export function timeSeriesChartPng(chart: TimeSeriesChart): Uint8Array {
  const W = chart.width ?? 560, H = chart.height ?? 300;
  const left = 52, right = 18, top = 52, bottom = 40;
  const c = new Canvas(W, H);
  const all = [...chart.lines, ...(chart.summary ? [chart.summary] : [])].flatMap((l) => Array.from(l)).filter(Number.isFinite);
  const y = axisTicks(Math.min(...all), Math.max(...all), 5);
  const xs = xPositions(chart.dates, left + 8, W - right - 8);
  const py = (v: number) => top + (H - top - bottom) * (1 - (v - y.lo) / (y.hi - y.lo));

  for (const t of y.ticks) {
    c.line(left, py(t), W - right, py(t), GRID);
    c.text(left - 6, py(t) - 3, tickLabel(t, y.decimals), INK, { align: 'right' });
  }
  c.line(left, top, left, H - bottom, INK);
  c.line(left, H - bottom, W - right, H - bottom, INK);
  let lastLabelEnd = -Infinity;
  xs.forEach((x, i) => {
    c.line(x, H - bottom, x, H - bottom + 4, INK);
    const label = chart.dates[i]?.slice(5, 10) ?? String(i + 1);
    if (x - textWidth(label) / 2 > lastLabelEnd + 4) {
      c.text(x, H - bottom + 8, label, INK, { align: 'center' });
      lastLabelEnd = x + textWidth(label) / 2;
    }
  });
  c.text((left + W - right) / 2, H - 14, xCaption(chart.dates), MUTED, { align: 'center' });

  chart.lines.forEach((line, k) => drawSeries(c, line, xs, py, PALETTE[k % PALETTE.length], 1));
  if (chart.summary) drawSeries(c, chart.summary, xs, py, INK, 3);

  c.text(left, 6, chart.title, INK, { scale: 2 });
  c.text(4, 38, chart.yCaption ?? '', MUTED);
  c.rect(left, 28, 14, 2, PALETTE[0]);
  c.text(left + 18, 25, chart.legend[0], MUTED);
  if (chart.summary && chart.legend[1]) {
    const x = left + 18 + textWidth(chart.legend[0]) + 3 * GLYPH_ADVANCE;
    c.rect(x, 27, 14, 3, INK);
    c.text(x + 18, 25, chart.legend[1], MUTED);
  }
  return c.png();
}

function drawSeries(c: Canvas, values: ArrayLike<number>, xs: number[], py: (v: number) => number, rgb: Rgb, thickness: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    c.rect(xs[i] - 1 - (thickness >> 1), py(values[i]) - 1 - (thickness >> 1), 3 + 2 * (thickness >> 1), 3 + 2 * (thickness >> 1), rgb);
    if (i + 1 < values.length && Number.isFinite(values[i + 1])) c.line(xs[i], py(values[i]), xs[i + 1], py(values[i + 1]), rgb, thickness);
  }
}

/** Points placed by time when every point has a date (uneven revisits show as such), else evenly. */
function xPositions(dates: (string | null)[], x0: number, x1: number): number[] {
  const times = dates.map((d) => (d ? Date.parse(d) : NaN));
  const n = dates.length;
  if (n === 1) return [(x0 + x1) / 2];
  if (times.every(Number.isFinite) && times[n - 1] > times[0]) {
    return times.map((t) => x0 + ((t - times[0]) / (times[n - 1] - times[0])) * (x1 - x0));
  }
  return dates.map((_, i) => x0 + (i / (n - 1)) * (x1 - x0));
}

function xCaption(dates: (string | null)[]): string {
  const known = dates.filter((d): d is string => !!d).sort();
  if (!known.length) return 'DATE';
  const [first, last] = [known[0].slice(0, 10), known[known.length - 1].slice(0, 10)];
  return first === last ? `DATE (${first})` : `DATE (${first} TO ${last})`;
}
