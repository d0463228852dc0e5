/**
 * The table rows of one parcel: one per item and band, in item (date) order then band order, gathered into
 * column batches for the `TableWriter` of a partition's own file of the dataset.
 *
 * @example
 * const batch = new RowBatch(columns.length);
 * const hasPixels = pushRecordRows(batch, setup, dates, record);
 */
import type { TableWriter } from '../../table/types.ts';
import type { ParcelAggregateSetup } from './parcelSetup.ts';

/** One parcel's results: per item and band, `count`, `nodata_count` and the statistic columns (NaN for none). */
export interface ParcelRecord {
  /** The parcel's position in the parcel file. */
  index: number;
  id: string;
  /** items × bands pairs of (count, nodata_count). */
  counts: Int32Array;
  /** items × bands × stats values. */
  stats: Float64Array;
}

/** Pushes the rows of `record`; true when any of them counts a pixel. */
export function pushRecordRows(batch: RowBatch, setup: ParcelAggregateSetup, dates: (Date | null)[], record: ParcelRecord): boolean {
  let any = false;
  for (let i = 0; i < setup.items.length; i++) {
    for (let b = 0; b < setup.bands.length; b++) {
      const block = i * setup.bands.length + b;
      const count = record.counts[2 * block];
      if (count > 0) any = true;
      batch.push(record.id, setup.items[i].id, dates[i], setup.bands[b].name, count, record.counts[2 * block + 1], record.stats, block * setup.stats.length, setup.stats.length);
    }
  }
  return any;
}

/** Columns of rows being gathered for the next row group. */
export class RowBatch {
  rows = 0;
  private cols: (string | number | Date | null)[][];
  constructor(width: number) {
    this.cols = Array.from({ length: width }, () => []);
  }

  push(parcel: string, item: string, date: Date | null, band: string, count: number, nodata: number, stats: Float64Array, at: number, n: number): void {
    const c = this.cols;
    c[0].push(parcel); c[1].push(item); c[2].push(date); c[3].push(band); c[4].push(count); c[5].push(nodata);
    for (let s = 0; s < n; s++) {
      const v = stats[at + s];
      c[6 + s].push(Number.isNaN(v) ? null : v);
    }
    this.rows++;
  }

  async flushTo(writer: TableWriter, stats: { rows: number }): Promise<void> {
    if (!this.rows) return;
    await writer.append(this.cols);
    stats.rows += this.rows;
    this.rows = 0;
    this.cols = this.cols.map(() => []);
  }
}

