/**
 * The features of a GeoParquet file that cannot be searched by bounding box (no bbox columns, or row groups
 * that cannot narrow a read: `unsearchableRowGroups`), read one row group at a time by range requests
 * (hyparquet reads a row group's column chunks, joined when they are small), so memory follows the largest
 * row group rather than the file. Gives undefined for a file whose bbox columns and row groups let it be
 * searched as it is.
 *
 * @example
 * const stream = await streamGeoParquetFeatures('s3://b/parcels.parquet', 4 * 2 ** 20);
 */
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { InputError } from '../errors.ts';
import { parseJson } from '../io/parseJson.ts';
import { crsFromGeoParquet } from './parcelCrs.ts';
import { asyncBufferOf, bboxPaths } from './readParcelBox.ts';
import { unsearchableRowGroups, type SearchLimits } from './searchableRowGroups.ts';
import { COMPRESSORS, toGeometry } from './readParcelFile.ts';
import type { ParcelFeatureStream } from './parcelFeatureStream.ts';

/** The footer only: hyparquet reads more when the metadata is larger. */
const FOOTER_FETCH_BYTES = 32 * 1024;
const SLICE_ROWS = 4096;

export async function streamGeoParquetFeatures(href: string, limits: SearchLimits = {}): Promise<ParcelFeatureStream | undefined> {
  const file = await asyncBufferOf(href);
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES });
  const geoText = metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value;
  if (!geoText) throw new InputError(href, 'a Parquet file without GeoParquet "geo" metadata');
  const geo = parseJson(geoText, `${href} GeoParquet "geo" metadata`) as { primary_column: string; columns: Record<string, { encoding?: string; crs?: unknown; covering?: { bbox?: Record<string, string[]> } }> };
  const column = geo.columns[geo.primary_column];
  if (!column) throw new InputError(href, `GeoParquet primary column "${geo.primary_column}" is not described`);
  const paths = bboxPaths(metadata, column.covering?.bbox);
  const why = paths ? unsearchableRowGroups(metadata, paths, limits) : 'has no bbox columns';
  if (!why) return undefined;
  if (column.encoding && column.encoding.toUpperCase() !== 'WKB') {
    throw new InputError(href, `GeoParquet encoding "${column.encoding}" is not supported; expected WKB`);
  }
  const crs = crsFromGeoParquet(href, column);
  return {
    why,
    crs: () => crs,
    async *batches() {
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const rowEnd = rowStart + Number(group.num_rows);
        const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors: COMPRESSORS }) as (Record<string, unknown> | undefined)[];
        // Parsed geometries take several times their WKB: make them a slice at a time, letting go of each row.
        for (let k = 0; k < rows.length; k += SLICE_ROWS) {
          const batch = [];
          for (let j = k; j < Math.min(k + SLICE_ROWS, rows.length); j++) {
            const { [geo.primary_column]: geometry, ...properties } = rows[j]!;
            rows[j] = undefined;
            batch.push({ index: rowStart + j, properties, geometry: toGeometry(geometry) });
          }
          yield batch;
        }
        rowStart = rowEnd;
      }
    },
  };
}
