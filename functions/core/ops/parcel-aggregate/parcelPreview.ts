/**
 * The pictures of a parcel-aggregate product, what a CAP analyst looks at first: `preview.png`, the time
 * series of one band's per-parcel mean (an expression band such as NDVI when there is one) for a sample of
 * parcels with the median of all parcels; and `histogram.png`, that value over all parcels and dates, with
 * labelled axes and the parcels without any valid pixel said in words.
 *
 * @example
 * const previews = new ParcelPreviews(setup);
 * for (const record of records) previews.add(record);
 * const { timeSeries, histogram } = previews.render();
 */
import { histogramChartPng } from '../../chart/histogramChart.ts';
import { PALETTE, timeSeriesChartPng } from '../../chart/timeSeriesChart.ts';
import type { ParcelAggregateSetup } from './parcelAggregate.ts';
import type { ParcelRecord } from './parcelPart.ts';

/** Values kept for the pictures (parcels × dates); beyond it every k-th parcel is kept. 16 MB of float32. */
export const PREVIEW_VALUES = 4_000_000;
const SAMPLED = PALETTE.length;

/** Bytes the previews hold during the merge, for the memory model. */
export function previewBytes(parcels: number, dates: number): number {
  return Math.min(parcels * dates, PREVIEW_VALUES) * 4;
}

type PreviewSetup = Pick<ParcelAggregateSetup, 'bands' | 'stats' | 'items'> & { parcels: { count: number } };

export class ParcelPreviews {
  private readonly band: number;
  private readonly stat: number;
  private readonly dates: number;
  private readonly every: number;
  private readonly values: Float32Array;
  private readonly ids: string[] = [];
  private kept = 0;
  private withoutPixels = 0;

  private readonly setup: PreviewSetup;

  constructor(setup: PreviewSetup) {
    this.setup = setup;
    const expression = setup.bands.findIndex((b) => b.expression);
    this.band = expression >= 0 ? expression : 0;
    const preferred = ['mean', 'p50', 'median'].map((s) => setup.stats.indexOf(s)).find((i) => i >= 0);
    this.stat = preferred ?? (setup.stats.length ? 0 : -1);
    this.dates = setup.items.length;
    this.every = Math.max(1, Math.ceil((setup.parcels.count * this.dates) / PREVIEW_VALUES));
    this.values = new Float32Array(Math.ceil(setup.parcels.count / this.every) * this.dates).fill(Number.NaN);
  }

  add(record: ParcelRecord): void {
    const { bands, stats } = this.setup;
    let any = false;
    for (let i = 0; i < this.dates; i++) any ||= record.counts[2 * (i * bands.length + this.band)] > 0;
    if (!any) this.withoutPixels++;
    if (record.index % this.every !== 0 || this.stat < 0) return;
    for (let i = 0; i < this.dates; i++) {
      const v = record.stats[(i * bands.length + this.band) * stats.length + this.stat];
      this.values[this.kept * this.dates + i] = v ?? Number.NaN;
    }
    this.ids.push(record.id);
    this.kept++;
  }

  /** What the time series shows: the band and statistic, the sampled parcels' values, the median per date. */
  series(): { band: string; stat: string; sampled: { id: string; values: Float32Array }[]; median: number[] } {
    const rows = Array.from({ length: this.kept }, (_, p) => ({ id: this.ids[p], values: this.values.subarray(p * this.dates, (p + 1) * this.dates) }));
    return {
      band: this.setup.bands[this.band].name,
      stat: this.stat >= 0 ? this.setup.stats[this.stat] : 'none',
      sampled: sample(rows.filter((r) => r.values.some(Number.isFinite)), SAMPLED),
      median: Array.from({ length: this.dates }, (_, i) => medianOf(rows.map((r) => r.values[i]))),
    };
  }

  render(): { timeSeries: Uint8Array; histogram: Uint8Array; band: string; stat: string } {
    const { band, stat, sampled, median } = this.series();
    const plotted = sampled.map((s) => s.values);
    const dates = this.setup.items.map((i) => i.datetime);
    const timeSeries = timeSeriesChartPng({
      title: `${band.toUpperCase()}: ${stat.toUpperCase()} PER PARCEL`, yCaption: band.toUpperCase(), dates, lines: plotted, summary: median,
      legend: [`${plotted.length} OF ${this.setup.parcels.count} PARCELS`, `MEDIAN OF ${this.kept === this.setup.parcels.count ? 'ALL' : this.kept} PARCELS`],
    });
    const histogram = histogramChartPng({
      title: `${band.toUpperCase()}: ${stat.toUpperCase()} PER PARCEL AND DATE`, values: this.values.subarray(0, this.kept * this.dates),
      xCaption: `${band.toUpperCase()} ${stat.toUpperCase()}`, yCaption: 'PARCEL-DATES',
      note: `${this.withoutPixels} PARCEL(S) WITHOUT A VALID PIXEL`,
    });
    return { timeSeries, histogram, band, stat };
  }
}

/** `n` rows spread evenly over `rows` (first and last included), so the sample does not depend on luck. */
function sample<T>(rows: T[], n: number): T[] {
  if (rows.length <= n) return rows;
  return Array.from({ length: n }, (_, k) => rows[Math.round((k * (rows.length - 1)) / (n - 1))]);
}

function medianOf(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
