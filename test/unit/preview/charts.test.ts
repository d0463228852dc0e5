/**
 * The chart pictures, read back with an independent PNG decoder: labels are drawn, lines break at gaps,
 * bars scale with counts, ticks are round, and one-band raster quicklooks carry a legend strip.
 */
import { describe, expect, it } from 'vitest';
import { axisTicks, tickLabel } from '../../../functions/core/chart/axisTicks.ts';
import { Canvas, INK } from '../../../functions/core/chart/canvas.ts';
import { histogramChartPng } from '../../../functions/core/chart/histogramChart.ts';
import { PALETTE, timeSeriesChartPng } from '../../../functions/core/chart/timeSeriesChart.ts';
import { LEGEND_HEIGHT, renderPreview } from '../../../functions/core/raster/preview/preview.ts';
import { rampLut } from '../../../functions/core/raster/preview/previewRamps.ts';
import { ParcelPreviews } from '../../../functions/core/ops/parcel-aggregate/parcelPreview.ts';
import { decodePng, pixel, type DecodedPng } from './decodePng.ts';

const same = (a: number[], rgb: readonly number[]) => a[0] === rgb[0] && a[1] === rgb[1] && a[2] === rgb[2];

function columnHas(png: DecodedPng, x: number, rgb: readonly number[]): boolean {
  for (let y = 0; y < png.height; y++) if (same(pixel(png, x, y), rgb)) return true;
  return false;
}

function count(png: DecodedPng, test: (p: number[]) => boolean, x0 = 0, x1 = png.width): number {
  let n = 0;
  for (let y = 0; y < png.height; y++) for (let x = x0; x < x1; x++) if (test(pixel(png, x, y))) n++;
  return n;
}

describe('charts', () => {
  it('round ticks with as many decimals as the step needs', () => {
    expect(axisTicks(0.13, 0.87, 5)).toEqual({ lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 });
    expect(axisTicks(0, 37, 4).ticks).toEqual([0, 10, 20, 30, 40]);
    expect(axisTicks(5, 5).ticks.length).toBeGreaterThan(1);
    expect(tickLabel(-0.0001, 2)).toBe('0.00');
  });

  it('draws glyphs of the bitmap font where asked', () => {
    const c = new Canvas(6, 7);
    c.text(0, 0, 'L', INK);
    const png = decodePng(c.png());
    for (let y = 0; y < 7; y++) expect(same(pixel(png, 0, y), INK)).toBe(true);
    expect([1, 2, 3, 4].every((x) => same(pixel(png, x, 6), INK) && !same(pixel(png, x, 0), INK))).toBe(true);
  });

  it('a time series breaks a line at a gap, draws the summary thick, and labels its axes', () => {
    // Prepare: three dates 5 days apart; the first parcel has no value on the middle date
    const dates = ['2023-08-10T10:00:00Z', '2023-08-15T10:00:00Z', '2023-08-20T10:00:00Z'];
    // Act
    const png = decodePng(timeSeriesChartPng({
      title: 'NDVI', dates, lines: [[0.2, NaN, 0.8], [0.6, 0.6, 0.6]], summary: [0.35, 0.5, 0.65], legend: ['2 PARCELS', 'MEDIAN'],
    }));
    // Assess
    expect([png.width, png.height]).toEqual([560, 300]);
    const xs = [...Array(png.width).keys()].filter((x) => columnHas(png, x, PALETTE[1])); // lines only, not the legend
    const middle = Math.round((xs[0] + xs.at(-1)!) / 2);
    expect(columnHas(png, middle, PALETTE[0])).toBe(false); // no line through the missing date
    expect(columnHas(png, middle, PALETTE[1])).toBe(true); // the complete parcel is drawn across it
    expect(count(png, (p) => same(p, INK), 60, 540)).toBeGreaterThan(1500); // axes, thick summary, labels
    expect(count(png, (p) => same(p, INK), 0, 50)).toBeGreaterThan(100); // value labels left of the axis
  });

  it('a histogram scales its bars with the counts', () => {
    const values = [0.1, 0.1, 0.1, 0.9, NaN];
    const png = decodePng(histogramChartPng({ title: 'NDVI', values, note: '1 WITHOUT A PIXEL' }));
    const lut = rampLut('viridis');
    const isBar = (p: number[]) => { for (let k = 0; k < 256; k++) if (same(p, [lut[k * 3], lut[k * 3 + 1], lut[k * 3 + 2]])) return true; return false; };
    const low = count(png, isBar, 0, png.width / 2), high = count(png, isBar, png.width / 2, png.width);
    expect(low / high).toBeGreaterThan(2.5);
    expect(low / high).toBeLessThan(3.5);
  });

  it('a histogram of millions of values (a large parcel job) renders', () => {
    const values = Float32Array.from({ length: 3_000_000 }, (_, i) => (i % 1000) / 1000);
    expect(decodePng(histogramChartPng({ title: 'BIG', values })).width).toBe(560);
  });

  it('a one-band quicklook gets a legend strip with the ramp, padded to a readable width', () => {
    const band = Float32Array.from({ length: 100 * 50 }, (_, i) => (i % 100) / 99);
    const plain = decodePng(renderPreview([band], 100, 50, { ramp: 'viridis', range: [0, 1] }));
    const legend = decodePng(renderPreview([band], 100, 50, { ramp: 'viridis', range: [0, 1], legend: 'MEAN(DATA)' }));
    expect([plain.width, plain.height]).toEqual([100, 50]);
    expect([legend.width, legend.height]).toEqual([160, 50 + LEGEND_HEIGHT]);
    const lut = rampLut('viridis');
    expect(pixel(legend, 6, 55).slice(0, 3)).toEqual(Array.from(lut.subarray(0, 3)));
    expect(pixel(legend, 153, 55).slice(0, 3)).toEqual(Array.from(lut.subarray(255 * 3, 256 * 3)));
    expect(pixel(legend, 120, 10)[3]).toBe(0); // padding beside a narrow image is transparent
  });
});

describe('parcel previews', () => {
  it('plot an expression band\'s mean when there is one, sample evenly, and take the median of all parcels', () => {
    // Prepare: 30 parcels, 2 dates, bands red then ndvi, stats [p50, mean]; parcel 0 has no pixel
    const setup = { bands: [{ name: 'red', asset: 'red' }, { name: 'ndvi', expression: 'x' }], stats: ['p50', 'mean'], items: [{ datetime: '2023-08-10' }, { datetime: '2023-08-20' }], parcels: { count: 30 } };
    const previews = new ParcelPreviews(setup as never);
    for (let p = 0; p < 30; p++) {
      const counts = new Int32Array(8).fill(p === 0 ? 0 : 5);
      const stats = new Float64Array(8).fill(NaN);
      if (p > 0) for (let i = 0; i < 2; i++) { stats[(i * 2 + 1) * 2 + 1] = p / 100 + i; stats[(i * 2) * 2 + 1] = 999; }
      previews.add({ index: p, id: `p${p}`, counts, stats });
    }
    // Act
    const series = previews.series();
    // Assess
    expect([series.band, series.stat]).toEqual(['ndvi', 'mean']);
    const ids = series.sampled.map((s) => Number(s.id.slice(1)));
    expect([ids.length, ids[0], ids.at(-1)]).toEqual([10, 1, 29]); // parcel 0 has nothing to plot
    expect(ids.every((id, k) => k === 0 || (id - ids[k - 1] >= 3 && id - ids[k - 1] <= 4))).toBe(true);
    expect(series.median[0]).toBeCloseTo(0.15, 6); // median of 0.01 … 0.29
    expect(series.median[1]).toBeCloseTo(1.15, 6);
    const { timeSeries, histogram } = previews.render();
    expect(decodePng(timeSeries).width).toBe(560);
    expect(decodePng(histogram).height).toBe(300);
  });
});
