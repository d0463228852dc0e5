/**
 * The merge of parcel-aggregate. The table is a dataset the partitions wrote themselves, one file per
 * partition (`writePartitionTable`), single-tile or multi-tile alike: the merge only adds up their summaries,
 * draws the previews from the values they sampled, and describes the dataset in the product item. No
 * function ever concatenates the rows.
 *
 * @example
 * const summary = await mergeParcelTable(setup, partitions, parts, sink);
 */
import type { PartStore, ProductSink, ProductSummary } from '../types.ts';
import type { PartitionSpec } from '../../plan/types.ts';
import type { ParcelAggregateSetup } from './parcelSetup.ts';
import { ParcelPreviews, type PreviewSample } from './parcelPreview.ts';
import { decodePartitionTable } from './writePartitionTable.ts';
import { radiometryRecord } from '../radiometryRecord.ts';
import { CSV_TYPE, PARQUET_TYPE, tableColumns } from './parcelTableFormat.ts';

export async function mergeParcelTable(
  setup: ParcelAggregateSetup, partitions: PartitionSpec[], parts: PartStore, sink: ProductSink,
): Promise<ProductSummary> {
  const stats = { rows: 0, parcels: 0, parcelsWithoutPixels: 0 };
  const files: string[] = [];
  const samples: PreviewSample[] = [];
  // A tile's item sits in tiles/<tile>/: its hrefs climb to the output's root, where the dataset is.
  const root = setup.ownership.tiles ? '../../' : './';
  for (const p of partitions) {
    const t = decodePartitionTable(await parts.read(p.id), p.id);
    stats.rows += t.rows;
    stats.parcels += t.parcels;
    stats.parcelsWithoutPixels += t.parcelsWithoutPixels;
    files.push(`${root}${t.file}`);
    samples.push(t.preview);
  }
  if (stats.parcels !== setup.parcels.owned) throw new Error(`parts hold ${stats.parcels} parcels, the plan has ${setup.parcels.owned}`);
  const ext = setup.format === 'csv' ? 'csv' : 'parquet';
  const type = setup.format === 'csv' ? CSV_TYPE : PARQUET_TYPE;
  const tile = setup.ownership.tiles?.[setup.ownership.self ?? 0]?.key;
  const prefix = tile ? `${setup.dataset.folder}/${tile}-` : `${setup.dataset.folder}/`;
  return {
    assets: {
      data: {
        href: `${root}${setup.dataset.folder}/`, type, roles: ['data'],
        title: `Per-parcel statistics (${setup.rule}), one file per partition`,
        'table:columns': tableColumns(setup.stats).map((c) => ({ name: c.name, type: c.type })),
        'table:row_count': stats.rows,
        'eofn:files': files,
      },
      // A tile without parcels has nothing to picture.
      ...(stats.parcels ? await previewAssets(setup, samples, sink) : {}),
    },
    properties: { 'eofn:dataset': { glob: `${prefix}*.${ext}`, files: files.length }, ...tableProperties(setup, stats) },
  };
}

async function previewAssets(setup: ParcelAggregateSetup, samples: PreviewSample[], sink: ProductSink): Promise<ProductSummary['assets']> {
  const pictures = ParcelPreviews.fromSamples(setup, samples).render();
  return {
    preview: { href: await sink.write('preview.png', pictures.timeSeries, 'image/png'), type: 'image/png', roles: ['overview'], title: `Time series of ${pictures.band} ${pictures.stat} per parcel (a sample, and the median of all)` },
    histogram: { href: await sink.write('histogram.png', pictures.histogram, 'image/png'), type: 'image/png', roles: ['visual'], title: `Histogram of ${pictures.band} ${pictures.stat} per parcel and date` },
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
