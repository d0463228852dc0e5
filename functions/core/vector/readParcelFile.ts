/**
 * Reads a parcel file from any storage: GeoJSON (`.geojson`, `.json`), FlatGeobuf (`.fgb`) or GeoParquet
 * (`.parquet`), chosen by extension. Gives the features as the file holds them and the file's CRS; the
 * checks (ids, rings) are `toParcels`'s job.
 *
 * @example
 * const raw = await readParcelFile('sample-data/parcels/si-eurocrops-2021.fgb'); // raw.crs === 'EPSG:3794'
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { EofnError, InputError, IoError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import { crsFromFlatGeobuf, crsFromGeoJson, crsFromGeoParquet } from './parcelCrs.ts';
import { parseWkb } from './parseWkb.ts';
import { checkFlatGeobuf } from './checkFlatGeobuf.ts';
import type { RawFeature, RawParcelFile } from './types.ts';
import { parseJson } from '../io/parseJson.ts';

export async function readParcelFile(href: string): Promise<RawParcelFile> {
  const path = href.split('?')[0].toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = await storageFor(href).readAll(href);
  } catch (e) {
    if (e instanceof EofnError) throw e;
    // A read that failed for no reason in the file (an outage) may pass on the next attempt.
    throw new IoError(href, `cannot read the parcel file: ${(e as Error).message}`, { cause: e });
  }
  try {
    if (path.endsWith('.fgb')) return await fromFlatGeobuf(href, bytes);
    if (path.endsWith('.parquet') || path.endsWith('.geoparquet')) return await fromGeoParquet(href, bytes);
    if (path.endsWith('.geojson') || path.endsWith('.json')) return fromGeoJson(href, bytes);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(href, `cannot parse the parcel file: ${(e as Error).message}`);
  }
  throw new InputError(href, 'unsupported parcel file: expected .geojson, .json, .fgb or .parquet');
}

function fromGeoJson(href: string, bytes: Uint8Array): RawParcelFile {
  const doc = parseJson(bytes, href) as { type?: string; crs?: unknown; features?: RawFeature[] };
  if (doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new InputError(href, 'expected a GeoJSON FeatureCollection');
  }
  const features = doc.features.map((f) => ({ properties: f.properties ?? {}, geometry: f.geometry ?? null }));
  return { href, crs: crsFromGeoJson(href, doc.crs), features, bytes: bytes.length };
}

async function fromFlatGeobuf(href: string, bytes: Uint8Array): Promise<RawParcelFile> {
  // The library hangs on tiny files and reads truncated ones as shorter: it only sees checked bytes.
  const layout = checkFlatGeobuf(href, bytes);
  let crs: Parameters<typeof crsFromFlatGeobuf>[1] = null;
  const features: RawFeature[] = [];
  if (layout.featuresCount === 0) throw new InputError(href, 'the FlatGeobuf file holds no features');
  for await (const f of deserialize(bytes, { headerMetaFn: (meta: HeaderMeta) => { crs = meta.crs; } })) {
    const feature = f as unknown as RawFeature;
    features.push({ properties: feature.properties ?? {}, geometry: feature.geometry ?? null });
  }
  if (features.length !== layout.featuresCount) {
    throw new InputError(href, `read ${features.length} of the ${layout.featuresCount} features the file holds`);
  }
  return { href, crs: crsFromFlatGeobuf(href, crs), features, bytes: bytes.length };
}

/** Parquet codecs beyond hyparquet's built-in ones that node's zlib can decode. */
export const COMPRESSORS: Record<string, (input: Uint8Array, outputLength: number) => Uint8Array> = {
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  ...('zstdDecompressSync' in zlib
    ? { ZSTD: (input: Uint8Array) => new Uint8Array((zlib as unknown as { zstdDecompressSync(b: Uint8Array): Buffer }).zstdDecompressSync(input)) }
    : {}),
};

async function fromGeoParquet(href: string, bytes: Uint8Array): Promise<RawParcelFile> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = await parquetMetadataAsync(file);
  const geoText = metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value;
  if (!geoText) throw new InputError(href, 'a Parquet file without GeoParquet "geo" metadata');
  const geo = parseJson(geoText, `${href} GeoParquet "geo" metadata`) as { primary_column: string; columns: Record<string, { encoding?: string; crs?: unknown }> };
  const column = geo.columns[geo.primary_column];
  if (!column) throw new InputError(href, `GeoParquet primary column "${geo.primary_column}" is not described`);
  if (column.encoding && column.encoding.toUpperCase() !== 'WKB') {
    throw new InputError(href, `GeoParquet encoding "${column.encoding}" is not supported; expected WKB`);
  }
  const crs = crsFromGeoParquet(href, column);
  const rows = await parquetReadObjects({ file, metadata, compressors: COMPRESSORS }) as Record<string, unknown>[];
  const features = rows.map((row) => {
    const { [geo.primary_column]: geometry, ...properties } = row;
    return { properties, geometry: toGeometry(geometry) };
  });
  return { href, crs, features, bytes: bytes.length };
}

export function toGeometry(value: unknown): RawFeature['geometry'] {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return parseWkb(value);
  return value as RawFeature['geometry'];
}
