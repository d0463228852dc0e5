/**
 * The pieces both FlatGeobuf writers of parcels share (the in-memory `writeIndexedFlatGeobuf` and the
 * streaming `IndexedFlatGeobufBuilder`), so that they give the same bytes: the column type a property value
 * asks for, the value as written, the header, and the Hilbert value of a box's centre in the file's extent.
 *
 * @example
 * const h = hilbertOfBox(x0, y0, x1, y1, extent); // sort key of a feature
 */
import * as flatbuffers from 'flatbuffers';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { Column } from 'flatgeobuf/lib/mjs/flat-geobuf/column.js';
import { Crs } from 'flatgeobuf/lib/mjs/flat-geobuf/crs.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { Header } from 'flatgeobuf/lib/mjs/flat-geobuf/header.js';

export const NODE_SIZE = 16;
export const NODE_BYTES = 40;
export const FGB_MAGIC = Uint8Array.of(0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62, 0x00);

export interface ColumnMeta { name: string; type: ColumnType }

/** String when a property's values mix types; a bigint (Parquet INT64) is a String too, so no digit is lost. */
export function columnTypeOf(v: unknown): ColumnType {
  return typeof v === 'number' ? ColumnType.Double : typeof v === 'boolean' ? ColumnType.Bool : ColumnType.String;
}

export function valueFor(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  if (type === ColumnType.String) return typeof v === 'string' ? v : typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  return v;
}

export function headerBytes(columns: ColumnMeta[], count: number, ext: ArrayLike<number>, epsg: number): Uint8Array {
  const b = new flatbuffers.Builder();
  const cols = Header.createColumnsVector(b, columns.map((c) => {
    const name = b.createString(c.name);
    Column.startColumn(b);
    Column.addName(b, name);
    Column.addType(b, c.type);
    return Column.endColumn(b);
  }));
  const name = b.createString('parcels');
  const envelope = Header.createEnvelopeVector(b, Array.from(ext));
  Crs.startCrs(b);
  Crs.addCode(b, epsg);
  const crs = Crs.endCrs(b);
  Header.startHeader(b);
  Header.addName(b, name);
  Header.addEnvelope(b, envelope);
  Header.addGeometryType(b, GeometryType.Unknown);
  Header.addColumns(b, cols);
  Header.addFeaturesCount(b, BigInt(count));
  Header.addIndexNodeSize(b, NODE_SIZE);
  Header.addCrs(b, crs);
  b.finishSizePrefixed(Header.endHeader(b));
  return b.asUint8Array();
}

/** Hilbert value of a box's centre, the extent scaled to 65536 x 65536 cells. */
export function hilbertOfBox(x0: number, y0: number, x1: number, y1: number, ext: ArrayLike<number>): number {
  return hilbert(
    Math.floor(((x0 + x1) / 2 - ext[0]) / Math.max(ext[2] - ext[0], 1e-12) * 65535),
    Math.floor(((y0 + y1) / 2 - ext[1]) / Math.max(ext[3] - ext[1], 1e-12) * 65535));
}

/** Hilbert curve index of (x, y) on a 65536 x 65536 grid (the algorithm flatgeobuf and GDAL use). */
function hilbert(x: number, y: number): number {
  let a = x ^ y, b = 0xffff ^ a, c = 0xffff ^ (x | y), d = x & (y ^ 0xffff);
  let A = a | (b >>> 1), B = (a >>> 1) ^ a, C = ((c >>> 1) ^ (b & (d >>> 1))) ^ c, D = ((a & (c >>> 1)) ^ (d >>> 1)) ^ d;
  a = A; b = B; c = C; d = D;
  A = (a & (a >>> 2)) ^ (b & (b >>> 2)); B = (a & (b >>> 2)) ^ (b & ((a ^ b) >>> 2));
  C ^= (a & (c >>> 2)) ^ (b & (d >>> 2)); D ^= (b & (c >>> 2)) ^ ((a ^ b) & (d >>> 2));
  a = A; b = B; c = C; d = D;
  A = (a & (a >>> 4)) ^ (b & (b >>> 4)); B = (a & (b >>> 4)) ^ (b & ((a ^ b) >>> 4));
  C ^= (a & (c >>> 4)) ^ (b & (d >>> 4)); D ^= (b & (c >>> 4)) ^ ((a ^ b) & (d >>> 4));
  a = A; b = B; c = C; d = D;
  C ^= (a & (c >>> 8)) ^ (b & (d >>> 8)); D ^= (b & (c >>> 8)) ^ ((a ^ b) & (d >>> 8));
  a = C ^ (C >>> 1); b = D ^ (D >>> 1);
  let i0 = x ^ y, i1 = b | (0xffff ^ (i0 | a));
  i0 = (i0 | (i0 << 8)) & 0x00ff00ff; i0 = (i0 | (i0 << 4)) & 0x0f0f0f0f; i0 = (i0 | (i0 << 2)) & 0x33333333; i0 = (i0 | (i0 << 1)) & 0x55555555;
  i1 = (i1 | (i1 << 8)) & 0x00ff00ff; i1 = (i1 | (i1 << 4)) & 0x0f0f0f0f; i1 = (i1 | (i1 << 2)) & 0x33333333; i1 = (i1 | (i1 << 1)) & 0x55555555;
  return ((i1 << 1) | i0) >>> 0;
}
