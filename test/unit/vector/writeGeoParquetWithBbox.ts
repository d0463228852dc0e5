/**
 * Writes parcels as GeoParquet 1.1 with a `bbox` struct column named by the `covering` metadata (as fiboa and
 * GDAL write it), in row groups of `rowGroupSize` rows, features in the order given.
 *
 * @example
 * writeGeoParquetWithBbox('/tmp/p.parquet', features, 500);
 */
import { parquetWriteFile } from 'hyparquet-writer';
import { featureBox } from '../../../functions/core/vector/readParcelBox.ts';
import type { RawFeature } from '../../../functions/core/vector/types.ts';
import { wkbOf } from './wkbOf.ts';

export function writeGeoParquetWithBbox(path: string, features: RawFeature[], rowGroupSize: number): void {
  const boxes = features.map((f) => featureBox(f)!);
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'pid', data: features.map((f) => f.properties.pid as string) },
      { name: 'geometry', data: features.map((f) => wkbOf(f.geometry!)) },
      { name: 'bbox', data: boxes.map(([xmin, ymin, xmax, ymax]) => ({ xmin, ymin, xmax, ymax })) },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'pid', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
      { name: 'bbox', num_children: 4, repetition_type: 'REQUIRED' },
      ...['xmin', 'ymin', 'xmax', 'ymax'].map((name) => ({ name, type: 'DOUBLE' as const, repetition_type: 'REQUIRED' as const })),
    ],
    rowGroupSize,
    kvMetadata: [{ key: 'geo', value: JSON.stringify({ version: '1.1.0', primary_column: 'geometry', columns: { geometry: { encoding: 'WKB', crs: { id: { authority: 'EPSG', code: 32633 } }, covering: { bbox: { xmin: ['bbox', 'xmin'], ymin: ['bbox', 'ymin'], xmax: ['bbox', 'xmax'], ymax: ['bbox', 'ymax'] } } } } }) }],
  });
}
