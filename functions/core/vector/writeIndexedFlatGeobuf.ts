/**
 * Writes parcels as a FlatGeobuf with a packed Hilbert R-tree (node size 16), all in memory: the file
 * `prepare` makes from a parcel file that cannot be searched by bounding box, so that partitions read only
 * their window's parcels. `prepare` itself streams (`IndexedFlatGeobufBuilder`, same bytes); this writer is
 * the plain version kept as its test oracle and as the old path of `bench/indexParcels.ts`. Features are
 * sorted by the Hilbert value of their bounding box's centre, as GDAL does; each keeps its position in the
 * source in the column `eofn:index`, which readers take as the feature's index, so output order stays the
 * source's. Properties become String, Double or Bool columns (String when a property's values mix types).
 * Deterministic: the same features give the same bytes.
 *
 * @example
 * const bytes = writeIndexedFlatGeobuf(raw.features, 32633);
 */
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import { columnTypeOf, FGB_MAGIC as MAGIC, headerBytes, hilbertOfBox, NODE_BYTES, NODE_SIZE, valueFor, type ColumnMeta } from './indexedFlatGeobufParts.ts';
import { featureBox, INDEX_COLUMN } from './readParcelBox.ts';
import type { RawFeature } from './types.ts';

export function writeIndexedFlatGeobuf(features: RawFeature[], epsg: number): Uint8Array {
  const kept = features.map((f, i) => ({ f, index: f.index ?? i, box: featureBox(f) })).filter((k) => k.box && k.f.geometry);
  if (!kept.length) throw new Error('no feature with a geometry to index');
  const columns = columnsOf(kept.map((k) => k.f));
  const ext = kept.reduce((e, k) => [Math.min(e[0], k.box![0]), Math.min(e[1], k.box![1]), Math.max(e[2], k.box![2]), Math.max(e[3], k.box![3])],
    [Infinity, Infinity, -Infinity, -Infinity]);
  const hilbertOf = (b: number[]) => hilbertOfBox(b[0], b[1], b[2], b[3], ext);
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

function columnsOf(features: RawFeature[]): ColumnMeta[] {
  const types = new Map<string, ColumnType>();
  for (const f of features) {
    for (const [name, v] of Object.entries(f.properties)) {
      if (v === null || v === undefined || name === INDEX_COLUMN) continue;
      const t = columnTypeOf(v);
      const seen = types.get(name);
      types.set(name, seen === undefined || seen === t ? t : ColumnType.String);
    }
  }
  return [{ name: INDEX_COLUMN, type: ColumnType.Double }, ...[...types.entries()].map(([name, type]) => ({ name, type }))];
}

/** The packed R-tree, root first: leaves hold each feature's box and byte offset, parents their first child. */
function packedTree(boxes: number[][], offsets: number[]): Uint8Array {
  const levels: { boxes: number[][]; firstChild: number[] }[] = [{ boxes, firstChild: offsets }];
  // A root above the leaves even for one feature: the format counts 2 nodes then (calcTreeSize, checkFlatGeobuf).
  while (levels.length === 1 || levels[levels.length - 1].boxes.length > 1) {
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
