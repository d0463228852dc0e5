/**
 * The pictures of a parcel-aggregate product, what a CAP analyst looks at first: `preview.png`, the time
 * series of one band's per-parcel mean (an expression band such as NDVI when there is one) for a sample of
 * parcels with the median of all parcels; and `histogram.png`, that value over all parcels and dates, with
 * labelled axes and the parcels without any valid pixel said in words.
 *
 * @example
 * const own = new ParcelPreviews(setup); // in each partition
 * for (const record of records) own.add(record);
 * const { timeSeries, histogram } = ParcelPreviews.fromSamples(setup, [own.sample()]).render(); // in the merge
 */
import { histogramChartPng } from '../../chart/histogramChart.ts';
import { PALETTE, timeSeriesChartPng } from '../../chart/timeSeriesChart.ts';
import type { ParcelAggregateSetup } from './parcelSetup.ts';
import type { ParcelRecord } from './parcelRows.ts';

/** Values kept for the pictures (parcels × dates); beyond it every k-th parcel is kept. 16 MB of float32. */
export const PREVIEW_VALUES = 4_000_000;
const SAMPLED = PALETTE.length;

/**
 * Bytes the previews hold during the merge, for the memory model: the sampled values three times over (as
 * read from the parts, decoded, and gathered in file order) and about 200 bytes per sampled parcel (id, index).
 */
export function previewBytes(parcels: number, dates: number): number {
  const values = Math.min(parcels * dates, PREVIEW_VALUES);
  return values * 12 + Math.ceil(values / Math.max(1, dates)) * 200;
}

type PreviewSetup = Pick<ParcelAggregateSetup, 'bands' | 'stats' | 'items'> & { parcels: { count: number } };

/**
 * What one partition hands the merge for the pictures: its parcels without a valid pixel of the pictured band,
 * and the pictured values of its sampled parcels (those whose file index is a multiple of the sampling step,
 * so the sample does not depend on how the job was partitioned).
 */
export interface PreviewSample {
  withoutPixels: number;
  indexes: number[];
  ids: string[];
  /** indexes.length × dates float32 values, base64. */
  values: string;
}

export class ParcelPreviews {
  private readonly band: number;
  private readonly stat: number;
  private readonly dates: number;
  private readonly every: number;
  private values: Float32Array;
  private indexes: number[] = [];
  private ids: string[] = [];
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
    this.values = new Float32Array(64 * this.dates);
  }

  /** A partition's parcel, in any order (the merge puts samples in file order). */
  add(record: ParcelRecord): void {
    const { bands, stats } = this.setup;
    let any = false;
    for (let i = 0; i < this.dates; i++) any ||= record.counts[2 * (i * bands.length + this.band)] > 0;
    if (!any) this.withoutPixels++;
    if (record.index % this.every !== 0 || this.stat < 0) return;
    const row = this.nextRow(record.index, record.id);
    for (let i = 0; i < this.dates; i++) row[i] = record.stats[(i * bands.length + this.band) * stats.length + this.stat] ?? Number.NaN;
  }

  /** What this partition saw, for its part. */
  sample(): PreviewSample {
    const values = this.values.subarray(0, this.kept * this.dates);
    return { withoutPixels: this.withoutPixels, indexes: this.indexes, ids: this.ids, values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
  }

  /** The merge: every partition's sample, put in parcel file order. */
  static fromSamples(setup: PreviewSetup, samples: PreviewSample[]): ParcelPreviews {
    const previews = new ParcelPreviews(setup);
    const rows: { index: number; id: string; values: Float32Array }[] = [];
    for (const s of samples) {
      previews.withoutPixels += s.withoutPixels;
      const bytes = Buffer.from(s.values, 'base64');
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      s.indexes.forEach((index, k) => rows.push({ index, id: s.ids[k], values: values.subarray(k * previews.dates, (k + 1) * previews.dates) }));
    }
    rows.sort((a, b) => a.index - b.index);
    for (const r of rows) previews.nextRow(r.index, r.id).set(r.values);
    return previews;
  }

  private nextRow(index: number, id: string): Float32Array {
    if ((this.kept + 1) * this.dates > this.values.length) {
      const grown = new Float32Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.indexes.push(index);
    this.ids.push(id);
    const row = this.values.subarray(this.kept * this.dates, (this.kept + 1) * this.dates).fill(Number.NaN);
    this.kept++;
    return row;
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
