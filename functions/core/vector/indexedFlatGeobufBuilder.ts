/**
 * Writes parcels as an indexed FlatGeobuf without holding them: each feature is encoded as it comes and
 * appended to a scratch file on local disk, and only its box, scratch offset and length stay in memory
 * (44 bytes a feature). `chunks` then sorts those by Hilbert value and streams the header, the packed R-tree
 * and the features copied from the scratch file in that order. The bytes are those of
 * `writeIndexedFlatGeobuf` for the same features (the test holds the two together). A property whose values
 * mix types becomes a String column; features written before it did are then stale (`stale`), and the
 * caller writes them all again after `restart`, the columns now fixed.
 *
 * @example
 * const builder = new IndexedFlatGeobufBuilder();
 * try {
 *   for await (const batch of stream.batches()) for (const f of batch) builder.add(f);
 *   await storage.writeStream(target, builder.chunks(32633));
 * } finally { builder.close(); }
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import { columnTypeOf, FGB_MAGIC, headerBytes, hilbertOfBox, NODE_BYTES, NODE_SIZE, valueFor, type ColumnMeta } from './indexedFlatGeobufParts.ts';
import { featureBox, INDEX_COLUMN } from './readParcelBox.ts';
import type { RawFeature } from './types.ts';

/** Scratch writes and output pieces of 1 MiB. */
const CHUNK_BYTES = 2 ** 20;

export class IndexedFlatGeobufBuilder {
  /** Features kept (those with a geometry and coordinates). */
  count = 0;
  /** A column became String after features were written with its first type: `restart` and add them again. */
  stale = false;
  private readonly columns: ColumnMeta[] = [{ name: INDEX_COLUMN, type: ColumnType.Double }];
  private readonly byName = new Map<string, ColumnMeta>();
  private frozen = false;
  private boxes = new Float64Array(4 * 1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private readonly ext = [Infinity, Infinity, -Infinity, -Infinity];
  private readonly dir: string;
  private readonly fd: number;
  private readonly pending = new Uint8Array(CHUNK_BYTES);
  private pendingBytes = 0;
  private scratchBytes = 0;

  constructor(scratchDir = tmpdir()) {
    this.dir = mkdtempSync(join(scratchDir, 'eofn-index-'));
    this.fd = openSync(join(this.dir, 'features.bin'), 'w+');
  }

  add(f: RawFeature): void {
    const box = featureBox(f);
    if (!box || !f.geometry) return;
    if (!this.frozen) this.learnColumns(f.properties);
    const props: Record<string, unknown> = { [INDEX_COLUMN]: f.index ?? this.count };
    for (const c of this.columns) if (c.name !== INDEX_COLUMN) props[c.name] = valueFor(f.properties[c.name], c.type);
    const bytes = buildFeature(parseGeometry(f.geometry as never), props as never, { columns: this.columns } as never);
    if (this.count === this.lengths.length) this.grow();
    const n = this.count++;
    this.boxes.set(box, 4 * n);
    this.offsets[n] = this.scratchBytes;
    this.lengths[n] = bytes.length;
    this.append(bytes);
    for (let k = 0; k < 2; k++) {
      this.ext[k] = Math.min(this.ext[k], box[k]);
      this.ext[k + 2] = Math.max(this.ext[k + 2], box[k + 2]);
    }
  }

  /** Forgets the features written, keeps the columns as they now are (final), for a second pass. */
  restart(): void {
    this.frozen = true;
    this.stale = false;
    this.count = 0;
    this.ext.splice(0, 4, Infinity, Infinity, -Infinity, -Infinity);
    this.pendingBytes = 0;
    this.scratchBytes = 0;
    ftruncateSync(this.fd, 0);
  }

  /** The file: header, packed Hilbert R-tree (node size 16), then the features in Hilbert order. */
  async *chunks(epsg: number): AsyncGenerator<Uint8Array> {
    if (this.stale) throw new Error('features were written before a column became String: restart and add them again');
    this.flush();
    const n = this.count;
    if (!n) throw new Error('no feature with a geometry to index');
    const boxes = this.boxes, lengths = this.lengths, offsets = this.offsets;
    const hilberts = new Uint32Array(n);
    for (let i = 0; i < n; i++) hilberts[i] = hilbertOfBox(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], this.ext);
    // Ties keep file order: features were added in it.
    const order = new Uint32Array(n).map((_, i) => i).sort((a, b) => hilberts[a] - hilberts[b] || a - b);
    const head = headerBytes(this.columns, n, this.ext, epsg);
    const first = new Uint8Array(FGB_MAGIC.length + head.length);
    first.set(FGB_MAGIC);
    first.set(head, FGB_MAGIC.length);
    yield first;
    yield* treeChunks(order, boxes, lengths);
    let out = new Uint8Array(CHUNK_BYTES);
    let used = 0;
    for (let i = 0; i < n; i++) {
      const slot = order[i], length = lengths[slot];
      if (used + length > out.length) {
        if (used) yield out.subarray(0, used);
        out = new Uint8Array(Math.max(CHUNK_BYTES, length));
        used = 0;
      }
      if (readSync(this.fd, out, used, length, offsets[slot]) !== length) throw new Error(`scratch file ends before feature ${slot}`);
      used += length;
    }
    if (used) yield out.subarray(0, used);
  }

  /** Removes the scratch file. */
  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private learnColumns(properties: Record<string, unknown>): void {
    for (const [name, v] of Object.entries(properties)) {
      if (v === null || v === undefined || name === INDEX_COLUMN) continue;
      const type = columnTypeOf(v);
      const seen = this.byName.get(name);
      if (!seen) {
        const column = { name, type };
        this.byName.set(name, column);
        this.columns.push(column);
      } else if (seen.type !== type && seen.type !== ColumnType.String) {
        seen.type = ColumnType.String;
        this.stale = true;
      }
    }
  }

  private append(bytes: Uint8Array): void {
    if (this.pendingBytes + bytes.length > this.pending.length) this.flush();
    if (bytes.length > this.pending.length) writeSync(this.fd, bytes, 0, bytes.length, this.scratchBytes);
    else {
      this.pending.set(bytes, this.pendingBytes);
      this.pendingBytes += bytes.length;
    }
    this.scratchBytes += bytes.length;
  }

  private flush(): void {
    if (this.pendingBytes) writeSync(this.fd, this.pending, 0, this.pendingBytes, this.scratchBytes - this.pendingBytes);
    this.pendingBytes = 0;
  }

  private grow(): void {
    const boxes = new Float64Array(this.boxes.length * 2);
    boxes.set(this.boxes);
    const offsets = new Float64Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    const lengths = new Uint32Array(this.lengths.length * 2);
    lengths.set(this.lengths);
    this.boxes = boxes;
    this.offsets = offsets;
    this.lengths = lengths;
  }
}

/**
 * The packed R-tree, root first, in pieces: the levels above the leaves are computed whole (a fifteenth of
 * the leaves), the leaves are written straight from the sorted boxes with each feature's byte offset.
 */
function* treeChunks(order: Uint32Array, boxes: Float64Array, lengths: Uint32Array): Generator<Uint8Array> {
  const n = order.length;
  const counts = [n];
  // A root above the leaves even for one feature: the format counts 2 nodes then.
  do counts.push(Math.ceil(counts[counts.length - 1] / NODE_SIZE)); while (counts[counts.length - 1] !== 1);
  const levels: Float64Array[] = [];
  for (let l = 1; l < counts.length; l++) {
    const up = new Float64Array(4 * counts[l]);
    const below = l === 1 ? (i: number) => 4 * order[i] : (i: number) => 4 * i;
    const src = l === 1 ? boxes : levels[l - 2];
    for (let p = 0; p < counts[l]; p++) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = p * NODE_SIZE; i < Math.min((p + 1) * NODE_SIZE, counts[l - 1]); i++) {
        const at = below(i);
        x0 = Math.min(x0, src[at]);
        y0 = Math.min(y0, src[at + 1]);
        x1 = Math.max(x1, src[at + 2]);
        y1 = Math.max(y1, src[at + 3]);
      }
      up.set([x0, y0, x1, y1], 4 * p);
    }
    levels.push(up);
  }
  const starts: number[] = [];
  let node = 0;
  for (let l = counts.length - 1; l >= 0; l--) {
    starts[l] = node;
    node += counts[l];
  }
  let out = new Uint8Array(CHUNK_BYTES - (CHUNK_BYTES % NODE_BYTES));
  let view = new DataView(out.buffer);
  let used = 0;
  const put = function* (x0: number, y0: number, x1: number, y1: number, offset: number): Generator<Uint8Array> {
    if (used === out.length) {
      yield out;
      out = new Uint8Array(out.length);
      view = new DataView(out.buffer);
      used = 0;
    }
    view.setFloat64(used, x0, true);
    view.setFloat64(used + 8, y0, true);
    view.setFloat64(used + 16, x1, true);
    view.setFloat64(used + 24, y1, true);
    view.setBigUint64(used + 32, BigInt(offset), true);
    used += NODE_BYTES;
  };
  for (let l = counts.length - 1; l >= 1; l--) {
    const level = levels[l - 1];
    for (let i = 0; i < counts[l]; i++) yield* put(level[4 * i], level[4 * i + 1], level[4 * i + 2], level[4 * i + 3], starts[l - 1] + i * NODE_SIZE);
  }
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const at = 4 * order[i];
    yield* put(boxes[at], boxes[at + 1], boxes[at + 2], boxes[at + 3], offset);
    offset += lengths[order[i]];
  }
  if (used) yield out.subarray(0, used);
}
