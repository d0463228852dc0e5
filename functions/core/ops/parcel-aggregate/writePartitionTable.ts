/**
 * A partition's own file of the job's table, a Parquet (or CSV) dataset: its parcels' rows (parcel file
 * order, then item date, then band) written by the partition itself to `<output>/table/<partition id>.parquet`,
 * so that no function ever handles all rows: the finalize only adds up the small summaries partitions hand
 * it (row counts, and the sampled values the previews draw). The same partition writes the same bytes under
 * the same key, so a duplicate delivery is harmless.
 *
 * @example
 * const part = await writePartitionTable(setup, partition.id, own, results); // the summary, as the part
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageFor } from '../../io/storage.ts';
import { openParquetTableWriter } from '../../table/parquetTableWriter.ts';
import { openCsvTableWriter } from '../../table/csvTableWriter.ts';
import type { ParcelAggregateSetup } from './parcelSetup.ts';
import { PARQUET_TYPE, CSV_TYPE, ROW_GROUP, tableColumns } from './parcelTableFormat.ts';
import { ParcelPreviews, type PreviewSample } from './parcelPreview.ts';
import { pushRecordRows, RowBatch } from './parcelRows.ts';

const MAGIC = 'EPADATA2\n';

export interface PartitionTable {
  /** Where the file is, relative to the output ("table/…"). */
  file: string;
  rows: number;
  parcels: number;
  parcelsWithoutPixels: number;
  preview: PreviewSample;
}

export async function writePartitionTable(
  setup: ParcelAggregateSetup, partitionId: string, parcels: { index: number; id: string }[], results: { counts: Int32Array; stats: Float64Array },
): Promise<Uint8Array> {
  const { dataset } = setup;
  const ext = setup.format === 'csv' ? 'csv' : 'parquet';
  const file = `${dataset.folder}/${partitionId}.${ext}`;
  const scratch = await mkdtemp(join(tmpdir(), 'eofn-part-'));
  try {
    const local = join(scratch, `part.${ext}`);
    const columns = tableColumns(setup.stats);
    const writer = setup.format === 'csv' ? await openCsvTableWriter(local, columns) : openParquetTableWriter(local, columns, { 'eofn:op': 'parcel-aggregate', 'eofn:rule': setup.rule, 'eofn:partition': partitionId });
    const dates = setup.items.map((i) => (i.datetime ? new Date(i.datetime) : null));
    const blocks = setup.items.length * setup.bands.length, nStats = setup.stats.length;
    const batch = new RowBatch(columns.length);
    const previews = new ParcelPreviews(setup);
    const counted = { rows: 0, parcelsWithoutPixels: 0 };
    for (let p = 0; p < parcels.length; p++) {
      const record = {
        ...parcels[p],
        counts: results.counts.subarray(2 * blocks * p, 2 * blocks * (p + 1)),
        stats: results.stats.subarray(blocks * nStats * p, blocks * nStats * (p + 1)),
      };
      if (!pushRecordRows(batch, setup, dates, record)) counted.parcelsWithoutPixels++;
      previews.add(record);
      if (batch.rows >= ROW_GROUP) await batch.flushTo(writer, counted);
    }
    await batch.flushTo(writer, counted);
    await writer.close();
    const href = `${dataset.outputHref}/${file}`;
    await storageFor(href).writeFile(href, local, ext === 'csv' ? CSV_TYPE : PARQUET_TYPE);
    const table: PartitionTable = { file, rows: counted.rows, parcels: parcels.length, parcelsWithoutPixels: counted.parcelsWithoutPixels, preview: previews.sample() };
    return new TextEncoder().encode(MAGIC + JSON.stringify(table));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function decodePartitionTable(bytes: Uint8Array, name: string): PartitionTable {
  const text = new TextDecoder().decode(bytes);
  if (!text.startsWith(MAGIC)) throw new Error(`${name}: not the summary of a parcel-aggregate partition (written by another version of eofn?)`);
  return JSON.parse(text.slice(MAGIC.length)) as PartitionTable;
}
