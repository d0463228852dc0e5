/**
 * Reads a parcel file that has no spatial index as a stream of feature batches, never whole: FlatGeobuf by
 * sequential range reads of its feature section, GeoParquet one row group at a time, GeoJSON by a byte
 * scanner that cuts the `features` array into single features. Each read is at most `chunkBytes` (a
 * GeoParquet row group, or a single feature larger than a chunk, is read in one piece). Features come in
 * file order, each with its position (`index`), as `readParcelFile` gives them. Gives undefined for a
 * GeoParquet file that has bbox columns: that one is searched by bounding box as it is.
 *
 * @example
 * const stream = await streamParcelFeatures('s3://b/dk.geojson');
 * for await (const batch of stream!.batches()) count += batch.length;
 * stream!.crs(); // 'EPSG:25832', known once the batches have been read
 */
import { EofnError, InputError } from '../errors.ts';
import { streamFlatGeobufFeatures } from './streamFlatGeobufFeatures.ts';
import { streamGeoJsonFeatures } from './streamGeoJsonFeatures.ts';
import { streamGeoParquetFeatures } from './streamGeoParquetFeatures.ts';
import type { SearchLimits } from './searchableRowGroups.ts';
import type { ParcelFeatureStream } from './parcelFeatureStream.ts';

export type { ParcelFeatureStream };

/** Reads of 4 MiB: few requests, and a bounded buffer whatever the file's size. */
export const PARCEL_CHUNK_BYTES = 4 * 2 ** 20;

export async function streamParcelFeatures(href: string, chunkBytes = PARCEL_CHUNK_BYTES, limits: SearchLimits = {}): Promise<ParcelFeatureStream | undefined> {
  const path = href.split('?')[0].toLowerCase();
  const open = path.endsWith('.fgb') ? streamFlatGeobufFeatures
    : path.endsWith('.parquet') || path.endsWith('.geoparquet') ? () => streamGeoParquetFeatures(href, limits)
      : path.endsWith('.geojson') || path.endsWith('.json') ? streamGeoJsonFeatures
        : undefined;
  if (!open) throw new InputError(href, 'unsupported parcel file: expected .geojson, .json, .fgb or .parquet');
  const stream = await named(href, () => open(href, chunkBytes));
  return stream && {
    ...(stream.why ? { why: stream.why } : {}),
    crs: () => stream.crs(),
    async *batches() {
      const it = stream.batches()[Symbol.asyncIterator]();
      for (;;) {
        const next = await named(href, () => it.next());
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

/** A storage error keeps its kind (retried later); anything else the parser throws is the file's content. */
async function named<T>(href: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof EofnError) throw e;
    throw new InputError(href, `cannot parse the parcel file: ${(e as Error).message}`);
  }
}
