/**
 * A histogram as a PNG with labelled axes: bars coloured along the value axis, round value ticks below,
 * counts up the side, a title, and a note line (e.g. how many parcels had no valid pixel, which is said in
 * words rather than drawn as a bar that would flatten the others).
 *
 * @example
 * const png = histogramChartPng({ title: 'NDVI MEAN PER PARCEL', values: means, note: '3 PARCELS WITHOUT A VALID PIXEL' });
 */
import { rampLut } from '../raster/preview/previewRamps.ts';
import { axisTicks, tickLabel } from './axisTicks.ts';
import { Canvas, GRID, INK, MUTED } from './canvas.ts';

export interface HistogramChart {
  title: string;
  values: ArrayLike<number>;
  note?: string;
  xCaption?: string;
  /** Words above the value axis, e.g. the band's name. */
  yCaption?: string;
  width?: number;
  height?: number;
  bins?: number;
}

export function histogramChartPng(chart: HistogramChart): Uint8Array {
  const W = chart.width ?? 560, H = chart.height ?? 300;
  const left = 52, right = 18, top = 52, bottom = 40;
  const c = new Canvas(W, H);
  // A loop, not Math.min(...values): a parcel job can have millions of values, more than a call takes.
  let lo = Infinity, hi = -Infinity, n = 0;
  for (let i = 0; i < chart.values.length; i++) {
    const v = chart.values[i];
    if (Number.isFinite(v)) { n++; if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const x = axisTicks(n ? lo : 0, n ? hi : 1, 6);
  const nBins = chart.bins ?? 40;
  const counts = new Float64Array(nBins);
  for (let i = 0; i < chart.values.length; i++) {
    const v = chart.values[i];
    if (Number.isFinite(v)) counts[Math.min(nBins - 1, Math.floor(((v - x.lo) / (x.hi - x.lo)) * nBins))]++;
  }
  const y = axisTicks(0, Math.max(1, ...counts), 4);
  const plotW = W - left - right, plotH = H - top - bottom;
  const px = (v: number) => left + ((v - x.lo) / (x.hi - x.lo)) * plotW;
  const py = (n: number) => top + plotH * (1 - n / y.hi);

  for (const t of y.ticks) {
    c.line(left, py(t), W - right, py(t), GRID);
    c.text(left - 6, py(t) - 3, tickLabel(t, y.decimals), INK, { align: 'right' });
  }
  const lut = rampLut('viridis');
  counts.forEach((n, b) => {
    if (!n) return;
    const k = Math.round((b / Math.max(1, nBins - 1)) * 255) * 3;
    const x0 = left + (b / nBins) * plotW, x1 = left + ((b + 1) / nBins) * plotW;
    c.rect(x0 + 1, py(n), Math.max(1, x1 - x0 - 1), H - bottom - py(n), [lut[k], lut[k + 1], lut[k + 2]]);
  });
  c.line(left, top, left, H - bottom, INK);
  c.line(left, H - bottom, W - right, H - bottom, INK);
  for (const t of x.ticks) {
    c.line(px(t), H - bottom, px(t), H - bottom + 4, INK);
    c.text(px(t), H - bottom + 8, tickLabel(t, x.decimals), INK, { align: 'center' });
  }
  c.text(left + plotW / 2, H - 14, chart.xCaption ?? 'VALUE', MUTED, { align: 'center' });
  c.text(left, 6, chart.title, INK, { scale: 2 });
  c.text(4, 38, chart.yCaption ?? 'COUNT', MUTED);
  c.text(left, 25, `${n} VALUES${chart.note ? `; ${chart.note}` : ''}`, MUTED);
  return c.png();
}
