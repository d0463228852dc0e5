/**
 * The merge of parcel-aggregate: streams every partition's part into one table (`result.parquet` or
 * `result.csv`), in parcel file order, then item date, then band. Parts are read chunk by chunk through the
 * part store (a k-way merge on the parcel index: each part is already in file order), and rows go out in row
 * groups of ROW_GROUP: memory holds a chunk per part and one row group, never the table.
 *
 * @example
 * const summary = await mergeParcelTable(setup, partitions, parts, sink);
 */
import { join } from 'node:path';
import { openCsvTableWriter } from '../../table/csvTableWriter.ts';
import { openParquetTableWriter } from '../../table/parquetTableWriter.ts';
import type { TableColumn, TableWriter } from '../../table/types.ts';
import type { PartStore, ProductSink, ProductSummary } from '../types.ts';
import type { PartitionSpec } from '../../plan/types.ts';
import type { ParcelAggregateSetup } from './parcelAggregate.ts';
import { PartReader, type ParcelRecord } from './parcelPart.ts';
import { ParcelPreviews } from './parcelPreview.ts';
import { pushRecordRows, RowBatch } from './parcelRows.ts';
import { decodePartitionTable } from './writePartitionTable.ts';
import { radiometryRecord } from '../radiometryRecord.ts';

export const ROW_GROUP = 65536;
/** Bytes of all part chunks held at once; each part gets its share, within [64 KiB, 4 MiB]. */
export const MERGE_READ_BYTES = 64 * 2 ** 20;

export const PARQUET_TYPE = 'application/vnd.apache.parquet';
export const CSV_TYPE = 'text/csv';

export function tableColumns(stats: string[]): TableColumn[] {
  return [
    { name: 'parcel_id', type: 'string', nullable: false },
    { name: 'item_id', type: 'string', nullable: false },
    { name: 'datetime', type: 'timestamp', nullable: true },
    { name: 'band', type: 'string', nullable: false },
    { name: 'count', type: 'int32', nullable: false },
    { name: 'nodata_count', type: 'int32', nullable: false },
    ...stats.map((name) => ({ name, type: 'double' as const, nullable: true })),
  ];
}

export function partChunkBytes(partitions: number): number {
  return Math.min(4 * 2 ** 20, Math.max(64 * 2 ** 10, Math.floor(MERGE_READ_BYTES / Math.max(1, partitions))));
}

export async function mergeParcelTable(
  setup: ParcelAggregateSetup, partitions: PartitionSpec[], parts: PartStore, sink: ProductSink,
): Promise<ProductSummary> {
  if (setup.dataset) return summariseDataset(setup, partitions, parts);
  const columns = tableColumns(setup.stats);
  const ext = setup.format === 'csv' ? 'csv' : 'parquet';
  const name = `result.${ext}`;
  const local = join(sink.scratchDir, name);
  const writer: TableWriter = setup.format === 'csv'
    ? await openCsvTableWriter(local, columns)
    : openParquetTableWriter(local, columns, { 'eofn:op': 'parcel-aggregate', 'eofn:rule': setup.rule });
  const chunk = partChunkBytes(partitions.length);
  const readers = await Promise.all(partitions.map(async (p) => {
    const reader = new PartReader((offset, length) => parts.readRange(p.id, offset, length), chunk);
    await reader.open();
    return reader;
  }));
  const previews = new ParcelPreviews(setup);
  const stats = { rows: 0, parcels: 0, parcelsWithoutPixels: 0 };
  const batch = new RowBatch(columns.length);
  const dates = setup.items.map((i) => (i.datetime ? new Date(i.datetime) : null));
  let last = -1;
  for await (const record of mergedRecords(readers)) {
    if (record.index <= last) throw new Error(`parts overlap or are out of order: parcel ${record.index} after ${last}`);
    last = record.index;
    stats.parcels++;
    if (!pushRecordRows(batch, setup, dates, record)) stats.parcelsWithoutPixels++;
    previews.add(record);
    if (batch.rows >= ROW_GROUP) await batch.flushTo(writer, stats);
  }
  await batch.flushTo(writer, stats);
  await writer.close();
  if (stats.parcels !== setup.parcels.owned) throw new Error(`parts hold ${stats.parcels} parcels, the plan has ${setup.parcels.owned}`);
  const type = setup.format === 'csv' ? CSV_TYPE : PARQUET_TYPE;
  const href = await sink.writeFile(name, local, type);
  const pictures = previews.render();
  const preview = await sink.write('preview.png', pictures.timeSeries, 'image/png');
  const histogram = await sink.write('histogram.png', pictures.histogram, 'image/png');
  return {
    assets: {
      data: {
        href, type, roles: ['data'], title: `Per-parcel statistics (${setup.rule})`,
        'table:columns': columns.map((c) => ({ name: c.name, type: c.type })),
        'table:row_count': stats.rows,
      },
      preview: { href: preview, type: 'image/png', roles: ['overview'], title: `Time series of ${pictures.band} ${pictures.stat} per parcel (a sample, and the median of all)` },
      histogram: { href: histogram, type: 'image/png', roles: ['visual'], title: `Histogram of ${pictures.band} ${pictures.stat} per parcel and date` },
    },
    properties: tableProperties(setup, stats),
  };
}

/** A multi-tile job's tile: partitions wrote their own files (`writePartitionTable`); only their summaries meet here. */
async function summariseDataset(setup: ParcelAggregateSetup, partitions: PartitionSpec[], parts: PartStore): Promise<ProductSummary> {
  const stats = { rows: 0, parcels: 0, parcelsWithoutPixels: 0 };
  const files: string[] = [];
  for (const p of partitions) {
    const t = decodePartitionTable(await parts.read(p.id), p.id);
    stats.rows += t.rows;
    stats.parcels += t.parcels;
    stats.parcelsWithoutPixels += t.parcelsWithoutPixels;
    files.push(`../../${t.file}`);
  }
  if (stats.parcels !== setup.parcels.owned) throw new Error(`parts hold ${stats.parcels} parcels, the plan has ${setup.parcels.owned}`);
  return {
    assets: {
      data: {
        href: `../../${setup.dataset!.folder}/`, type: setup.format === 'csv' ? CSV_TYPE : PARQUET_TYPE, roles: ['data'],
        title: `Per-parcel statistics (${setup.rule}), one file per partition`,
        'table:columns': tableColumns(setup.stats).map((c) => ({ name: c.name, type: c.type })),
        'table:row_count': stats.rows,
        'eofn:files': files,
      },
    },
    properties: tableProperties(setup, stats),
  };
}

function tableProperties(setup: ParcelAggregateSetup, stats: { rows: number; parcelsWithoutPixels: number }): Record<string, unknown> {
  return {
    'eofn:parcels': setup.parcels.owned,
    'eofn:parcels_without_pixels': stats.parcelsWithoutPixels,
    'eofn:table_rows': stats.rows,
    'eofn:parcels_in_file': setup.parcels.total,
    'eofn:parcels_covered': setup.parcels.covered,
    'eofn:parcels_outside_raster': setup.parcels.total - setup.parcels.covered,
    'eofn:invalid_parcels': setup.parcels.invalidCount,
    ...(setup.parcels.invalid.length ? { 'eofn:invalid_parcel_list': setup.parcels.invalid } : {}),
    'eofn:rule': setup.rule,
    ...(setup.parcels.warning ? { 'eofn:warnings': [setup.parcels.warning] } : {}),
    'eofn:overlap': setup.ownership.overlap,
    'eofn:radiometry': radiometryRecord(setup.items),
  };
}

/** Records of all parts in parcel index order (each part is in order already). */
async function* mergedRecords(readers: PartReader[]): AsyncGenerator<ParcelRecord> {
  const heads = await Promise.all(readers.map((r) => r.next()));
  const heap: number[] = [];
  const less = (a: number, b: number) => heads[a]!.index < heads[b]!.index;
  const push = (k: number) => {
    heap.push(k);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!less(heap[i], heap[up])) break;
      [heap[i], heap[up]] = [heap[up], heap[i]];
      i = up;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l], heap[m])) m = l;
        if (r < heap.length && less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  heads.forEach((h, k) => { if (h) push(k); });
  while (heap.length) {
    const k = pop();
    yield heads[k]!;
    heads[k] = await readers[k].next();
    if (heads[k]) push(k);
  }
}
