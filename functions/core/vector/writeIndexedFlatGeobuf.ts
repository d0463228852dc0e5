/**
 * Writes parcels as a FlatGeobuf with a packed Hilbert R-tree (node size 16), the file `prepare` makes once
 * from a parcel file that cannot be searched by bounding box (GeoJSON past PARCEL_INDEX_MIN_BYTES, a
 * FlatGeobuf without an index, GeoParquet without bbox columns), so that partitions read only their
 * window's parcels. Features are sorted by the Hilbert value of their bounding box's centre, as GDAL does;
 * each keeps its position in the source in the column `eofn:index`, which readers take as the feature's
 * index, so output order stays the source's. Properties become String, Double or Bool columns (String
 * when a property's values mix types). Deterministic: the same features give the same bytes.
 *
 * @example
 * const bytes = writeIndexedFlatGeobuf(raw.features, 32633);
 */
import * as flatbuffers from 'flatbuffers';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { Column } from 'flatgeobuf/lib/mjs/flat-geobuf/column.js';
import { Crs } from 'flatgeobuf/lib/mjs/flat-geobuf/crs.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { Header } from 'flatgeobuf/lib/mjs/flat-geobuf/header.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import { featureBox, INDEX_COLUMN } from './readParcelBox.ts';
import type { RawFeature } from './types.ts';

const NODE_SIZE = 16;
const NODE_BYTES = 40;
const MAGIC = Uint8Array.of(0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62, 0x00);

export function writeIndexedFlatGeobuf(features: RawFeature[], epsg: number): Uint8Array {
  const kept = features.map((f, i) => ({ f, index: f.index ?? i, box: featureBox(f) })).filter((k) => k.box && k.f.geometry);
  if (!kept.length) throw new Error('no feature with a geometry to index');
  const columns = columnsOf(kept.map((k) => k.f));
  const ext = kept.reduce((e, k) => [Math.min(e[0], k.box![0]), Math.min(e[1], k.box![1]), Math.max(e[2], k.box![2]), Math.max(e[3], k.box![3])],
    [Infinity, Infinity, -Infinity, -Infinity]);
  const hilbertOf = (b: number[]) => hilbert(
    Math.floor(((b[0] + b[2]) / 2 - ext[0]) / Math.max(ext[2] - ext[0], 1e-12) * 65535),
    Math.floor(((b[1] + b[3]) / 2 - ext[1]) / Math.max(ext[3] - ext[1], 1e-12) * 65535));
  const order = kept.map((k) => ({ k, h: hilbertOf(k.box!) })).sort((a, b) => a.h - b.h || a.k.index - b.k.index).map((o) => o.k);
  const header = { geometryType: GeometryType.Unknown, columns, envelope: null, featuresCount: order.length, indexNodeSize: NODE_SIZE, crs: null, title: null, description: null, metadata: null };
  const buffers: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (const k of order) {
    const props: Record<string, unknown> = { [INDEX_COLUMN]: k.index };
    for (const c of columns) if (c.name !== INDEX_COLUMN) props[c.name] = valueFor(k.f.properties[c.name], c.type);
    const bytes = buildFeature(parseGeometry(k.f.geometry as never), props as never, header as never);
    offsets.push(at);
    at += bytes.length;
    buffers.push(bytes);
  }
  const tree = packedTree(order.map((k) => k.box!), offsets);
  const head = headerBytes(columns, order.length, ext, epsg);
  const out = new Uint8Array(MAGIC.length + head.length + tree.length + at);
  out.set(MAGIC, 0);
  out.set(head, MAGIC.length);
  out.set(tree, MAGIC.length + head.length);
  let pos = MAGIC.length + head.length + tree.length;
  for (const b of buffers) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

interface ColumnMeta { name: string; type: ColumnType }

function columnsOf(features: RawFeature[]): ColumnMeta[] {
  const types = new Map<string, ColumnType>();
  for (const f of features) {
    for (const [name, v] of Object.entries(f.properties)) {
      if (v === null || v === undefined || name === INDEX_COLUMN) continue;
      const t = typeof v === 'number' ? ColumnType.Double : typeof v === 'boolean' ? ColumnType.Bool : ColumnType.String;
      const seen = types.get(name);
      types.set(name, seen === undefined || seen === t ? t : ColumnType.String);
    }
  }
  return [{ name: INDEX_COLUMN, type: ColumnType.Double }, ...[...types.entries()].map(([name, type]) => ({ name, type }))];
}

function valueFor(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  if (type === ColumnType.String) return typeof v === 'string' ? v : JSON.stringify(v);
  return v;
}

function headerBytes(columns: ColumnMeta[], count: number, ext: number[], epsg: number): Uint8Array {
  const b = new flatbuffers.Builder();
  const cols = Header.createColumnsVector(b, columns.map((c) => {
    const name = b.createString(c.name);
    Column.startColumn(b);
    Column.addName(b, name);
    Column.addType(b, c.type);
    return Column.endColumn(b);
  }));
  const name = b.createString('parcels');
  const envelope = Header.createEnvelopeVector(b, ext);
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

/** The packed R-tree, root first: leaves hold each feature's box and byte offset, parents their first child. */
function packedTree(boxes: number[][], offsets: number[]): Uint8Array {
  const levels: { boxes: number[][]; firstChild: number[] }[] = [{ boxes, firstChild: offsets }];
  while (levels[levels.length - 1].boxes.length > 1) {
    const below = levels[levels.length - 1].boxes;
    const up: number[][] = [];
    for (let i = 0; i < below.length; i += NODE_SIZE) {
      const group = below.slice(i, i + NODE_SIZE);
      up.push([Math.min(...group.map((g) => g[0])), Math.min(...group.map((g) => g[1])), Math.max(...group.map((g) => g[2])), Math.max(...group.map((g) => g[3]))]);
    }
    levels.push({ boxes: up, firstChild: [] });
  }
  // Node numbering: root level first; a parent's offset is the node index of its first child.
  const starts: number[] = [];
  let n = 0;
  for (let l = levels.length - 1; l >= 0; l--) {
    starts[l] = n;
    n += levels[l].boxes.length;
  }
  for (let l = 1; l < levels.length; l++) levels[l].firstChild = levels[l].boxes.map((_, i) => starts[l - 1] + i * NODE_SIZE);
  const out = new Uint8Array(n * NODE_BYTES);
  const view = new DataView(out.buffer);
  for (let l = 0; l < levels.length; l++) {
    levels[l].boxes.forEach((box, i) => {
      const at = (starts[l] + i) * NODE_BYTES;
      box.forEach((v, k) => view.setFloat64(at + 8 * k, v, true));
      view.setBigUint64(at + 32, BigInt(levels[l].firstChild[i]), true);
    });
  }
  return out;
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
