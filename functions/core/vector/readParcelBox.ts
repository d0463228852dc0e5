/**
 * The parcels of a file whose bounding boxes meet a box (in the file's CRS), read without holding the file:
 * - FlatGeobuf with its spatial index: through the packed R-tree by range requests (`readFlatGeobufBox`);
 * - GeoParquet with a bbox column (the 1.1 `covering.bbox`, or `bbox.xmin`… columns as fiboa writes them):
 *   only row groups whose column statistics meet the box, then rows by their own bbox;
 * - anything else (GeoJSON, FlatGeobuf without an index, GeoParquet without bbox): the whole file, then
 *   filtered, with `indexed: false` so that `prepare` can convert a large one into an indexed file first.
 * Every feature keeps its position in the file, and features come in file order.
 *
 * @example
 * const { features, total } = await readParcelBox('s3://b/dk.fgb', (crs) => boundsInCrs(grid, crs));
 */
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { EofnError, InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import { crsFromGeoParquet } from './parcelCrs.ts';
import { isIndexed, readFlatGeobufBox, readFlatGeobufHead, type Box } from './readFlatGeobufBox.ts';
import { COMPRESSORS, readParcelFile, toGeometry } from './readParcelFile.ts';
import type { RawFeature, RawParcelFile } from './types.ts';

const FOOTER_FETCH_BYTES = 32 * 1024;
/** The column where a file converted by `writeIndexedFlatGeobuf` keeps each feature's place in its source. */
export const INDEX_COLUMN = 'eofn:index';

export interface ParcelBox extends RawParcelFile {
  /** Features in the whole file. */
  total: number;
  /** Whether the file was searched through an index (false: read whole, then filtered). */
  indexed: boolean;
}

export async function readParcelBox(href: string, boxIn: ((crs: string) => Box | undefined) | undefined): Promise<ParcelBox> {
  const found = await readBox(href, boxIn);
  if (found.features[0]?.properties[INDEX_COLUMN] === undefined) return found;
  // A converted file: features in Hilbert order, each with its place in the source; output follows the source.
  const features = found.features.map(({ properties: { [INDEX_COLUMN]: index, ...properties }, geometry }) => ({ index: Number(index), properties, geometry }));
  return { ...found, features: features.sort((a, b) => a.index - b.index) };
}

async function readBox(href: string, boxIn: ((crs: string) => Box | undefined) | undefined): Promise<ParcelBox> {
  const path = href.split('?')[0].toLowerCase();
  try {
    if (path.endsWith('.fgb')) {
      const head = await readFlatGeobufHead(href);
      if (isIndexed(head)) {
        const box = boxIn?.(head.crs);
        if (!box) return { ...(await readParcelFile(href)), total: head.header.featuresCount, indexed: true };
        const { crs, features } = await readFlatGeobufBox(href, box, head);
        return { href, crs, features, bytes: head.fileBytes, total: head.header.featuresCount, indexed: true };
      }
    } else if (path.endsWith('.parquet') || path.endsWith('.geoparquet')) {
      const found = await readGeoParquetBox(href, boxIn);
      if (found) return found;
    }
  } catch (e) {
    // Storage errors keep their kind (a failed read is retried); anything else is the file's content.
    if (e instanceof EofnError) throw e;
    throw new InputError(href, `cannot read the parcel file: ${(e as Error).message}`);
  }
  const whole = await readParcelFile(href);
  const features = whole.features.map((f, index) => ({ ...f, index }));
  const box = boxIn?.(whole.crs);
  // A feature without usable coordinates is kept: toParcels names it as invalid rather than losing it.
  const kept = box ? features.filter((f) => { const b = featureBox(f); return !b || meets(b, box); }) : features;
  return { ...whole, features: kept, total: whole.features.length, indexed: false };
}

/** Range reads of an object as hyparquet wants them. */
export async function asyncBufferOf(href: string): Promise<AsyncBuffer> {
  const storage = storageFor(href);
  const byteLength = await storage.size(href);
  if (byteLength === undefined) throw new InputError(href, 'cannot read the parcel file: not found');
  return {
    byteLength,
    async slice(start: number, end?: number) {
      const bytes = await storage.readRange(href, start, (end ?? byteLength) - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

async function readGeoParquetBox(href: string, boxIn: ((crs: string) => Box | undefined) | undefined): Promise<ParcelBox | undefined> {
  const file = await asyncBufferOf(href);
  // The footer only: hyparquet fetches more when the metadata is larger (its default is the last 512 KiB).
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES });
  const geoText = metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value;
  if (!geoText) throw new InputError(href, 'a Parquet file without GeoParquet "geo" metadata');
  const geo = JSON.parse(geoText) as { primary_column: string; columns: Record<string, { encoding?: string; crs?: unknown; covering?: { bbox?: Record<string, string[]> } }> };
  const column = geo.columns[geo.primary_column];
  if (!column) throw new InputError(href, `GeoParquet primary column "${geo.primary_column}" is not described`);
  const paths = bboxPaths(metadata, column.covering?.bbox);
  if (!paths) return undefined;
  const crs = crsFromGeoParquet(href, column);
  const box = boxIn?.(crs);
  const features: RawFeature[] = [];
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const stats = paths.map((p) => group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === p.join('.'))?.meta_data?.statistics);
    const [xmin, ymin, xmax, ymax] = stats;
    const skip = box && xmin?.min_value !== undefined && ymin?.min_value !== undefined && xmax?.max_value !== undefined && ymax?.max_value !== undefined &&
      !meets([Number(xmin.min_value), Number(ymin.min_value), Number(xmax.max_value), Number(ymax.max_value)], box);
    if (!skip) {
      const objects = await parquetReadObjects({ file, metadata, rowStart, rowEnd: rowStart + rows, compressors: COMPRESSORS }) as Record<string, unknown>[];
      objects.forEach((row, k) => {
        const b = paths.map((p) => Number(p.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], row))) as Box;
        if (box && b.every(Number.isFinite) && !meets(b, box)) return;
        const { [geo.primary_column]: geometry, ...properties } = row;
        features.push({ index: rowStart + k, properties, geometry: toGeometry(geometry) });
      });
    }
    rowStart += rows;
  }
  return { href, crs, features, bytes: file.byteLength, total: Number(metadata.num_rows), indexed: true };
}

/** Paths of xmin, ymin, xmax, ymax: the GeoParquet 1.1 covering, or a `bbox` struct column as fiboa writes one. */
export function bboxPaths(metadata: FileMetaData, covering: Record<string, string[]> | undefined): string[][] | undefined {
  if (covering?.xmin && covering.ymin && covering.xmax && covering.ymax) return [covering.xmin, covering.ymin, covering.xmax, covering.ymax];
  const names = new Set(metadata.row_groups[0]?.columns.map((c) => c.meta_data?.path_in_schema.join('.')) ?? []);
  const guess = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => ['bbox', k]);
  return guess.every((p) => names.has(p.join('.'))) ? guess : undefined;
}

export function meets(a: Box | undefined, b: Box): boolean {
  return !!a && !(a[2] < b[0] || a[3] < b[1] || a[0] > b[2] || a[1] > b[3]);
}

/** Bounding box of a GeoJSON-like feature's coordinates; undefined without any. */
export function featureBox(f: RawFeature): Box | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      return;
    }
    for (const d of c) visit(d);
  };
  visit(f.geometry?.coordinates);
  return x0 <= x1 ? [x0, y0, x1, y1] : undefined;
}
