/**
 * The features of a FlatGeobuf file whose bounding boxes meet a box, read through the storage seam by
 * range requests: the header, the nodes of its packed Hilbert R-tree level by level (only those whose
 * parents meet the box), then the matching features in runs of nearby bytes. Memory follows the features
 * found, not the file. Each feature keeps its position in the file (`index`), so output stays in file order.
 * A file written without an index is read whole (`indexed: false`): `prepare` converts such files once.
 *
 * @example
 * const { features, crs } = await readFlatGeobufBox('s3://b/dk.fgb', [440000, 6100000, 450000, 6110000]);
 */
import * as flatbuffers from 'flatbuffers';
import { Feature } from 'flatgeobuf/lib/mjs/flat-geobuf/feature.js';
import { fromFeature } from 'flatgeobuf/lib/mjs/geojson/feature.js';
import { fromByteBuffer, type HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import { InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import { crsFromFlatGeobuf } from './parcelCrs.ts';
import type { RawFeature } from './types.ts';

export type Box = [number, number, number, number];

const MAGIC = [0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62]; // "fgb" version 3, as checkFlatGeobuf wants
const NODE_BYTES = 40;
/** Runs of wanted bytes closer than this are read in one request. */
const GAP_BYTES = 64 * 1024;
/** Largest header accepted (real headers are a few KB; a hostile one cannot make us allocate more). */
const MAX_HEADER_BYTES = 10 * 2 ** 20;

export interface FlatGeobufHead {
  header: HeaderMeta;
  crs: string;
  /** Byte offset of the index (or of the features when there is none). */
  indexStart: number;
  featuresStart: number;
  fileBytes: number;
}

export async function readFlatGeobufHead(href: string): Promise<FlatGeobufHead> {
  const storage = storageFor(href);
  const fileBytes = await storage.size(href);
  if (fileBytes === undefined) throw new InputError(href, 'cannot read the parcel file: not found');
  const start = await storage.readRange(href, 0, 12);
  if (start.length < 12 || !MAGIC.every((b, i) => start[i] === b)) throw new InputError(href, 'not a FlatGeobuf file');
  const headerBytes = new DataView(start.buffer, start.byteOffset).getUint32(8, true);
  if (headerBytes > MAX_HEADER_BYTES || 12 + headerBytes > fileBytes) throw new InputError(href, `FlatGeobuf header claims ${headerBytes} bytes`);
  const bytes = await storage.readRange(href, 0, 12 + headerBytes);
  const bb = new flatbuffers.ByteBuffer(bytes);
  bb.setPosition(8);
  const header = fromByteBuffer(bb);
  const indexStart = 12 + headerBytes;
  const treeBytes = header.indexNodeSize > 0 && header.featuresCount > 0 ? treeSize(header.featuresCount, header.indexNodeSize) * NODE_BYTES : 0;
  if (indexStart + treeBytes > fileBytes) throw new InputError(href, `FlatGeobuf index of ${header.featuresCount} features runs past the end of the file`);
  return { header, crs: crsFromFlatGeobuf(href, header.crs), indexStart, featuresStart: indexStart + treeBytes, fileBytes };
}

/** Whether the file has a spatial index to search. */
export function isIndexed(head: FlatGeobufHead): boolean {
  return head.header.indexNodeSize > 0 && head.header.featuresCount > 0;
}

export async function readFlatGeobufBox(href: string, box: Box, head?: FlatGeobufHead): Promise<{ crs: string; features: RawFeature[]; head: FlatGeobufHead }> {
  head ??= await readFlatGeobufHead(href);
  if (!isIndexed(head)) throw new InputError(href, 'FlatGeobuf file without a spatial index');
  const hits = await searchTree(href, head, box);
  const features: RawFeature[] = [];
  const storage = storageFor(href);
  for (const run of runsOf(hits.map((h) => ({ ...h, start: head.featuresStart + h.offset, end: head.featuresStart + h.end })))) {
    const bytes = await storage.readRange(href, run.start, run.end - run.start);
    const bb = new flatbuffers.ByteBuffer(bytes);
    for (const h of run.items) {
      // The index and the size prefix must agree before the library parses a byte (see checkFlatGeobuf).
      const at = head.featuresStart + h.offset - run.start;
      const size = at + 4 <= bytes.length ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true) : 0;
      if (size === 0 || at + 4 + size > bytes.length || 4 + size > h.end - h.offset) {
        throw new InputError(href, `not a valid FlatGeobuf file: feature ${h.index} at byte ${head.featuresStart + h.offset} claims ${size} bytes, not what its index says (truncated?)`);
      }
      bb.setPosition(at);
      const f = fromFeature(h.index, Feature.getSizePrefixedRootAsFeature(bb), head.header) as unknown as RawFeature;
      features.push({ index: h.index, properties: f.properties ?? {}, geometry: f.geometry ?? null });
    }
  }
  return { crs: head.crs, features, head };
}

interface Hit { index: number; offset: number; end: number }

/** Leaves of the packed R-tree meeting the box, in file order, with each feature's byte range. */
async function searchTree(href: string, head: FlatGeobufHead, box: Box): Promise<Hit[]> {
  const n = head.header.featuresCount, nodeSize = head.header.indexNodeSize;
  const levels = levelBounds(n, nodeSize); // [start, end) node indexes, leaves first
  const storage = storageFor(href);
  const firstLeaf = levels[0][0];
  let wanted: [number, number][] = [[0, 1]]; // node index ranges at the current level (root)
  for (let level = levels.length - 1; level >= 0; level--) {
    const next: [number, number][] = [];
    const hits: Hit[] = [];
    const leaf = level === 0;
    // Leaves are read one node further: the next leaf's offset ends a feature's byte range.
    const leafEnd = levels[0][1];
    const reads = wanted.map(([a, b]) => ({ a, b, start: a * NODE_BYTES, end: Math.min(leaf ? b + 1 : b, levels[level][1]) * NODE_BYTES }));
    for (const span of runsOf(reads)) {
      const bytes = await storage.readRange(href, head.indexStart + span.start, span.end - span.start);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const { a, b } of span.items) {
        for (let node = a; node < b; node++) {
          const at = node * NODE_BYTES - span.start;
          const minX = view.getFloat64(at, true), minY = view.getFloat64(at + 8, true);
          const maxX = view.getFloat64(at + 16, true), maxY = view.getFloat64(at + 24, true);
          if (maxX < box[0] || maxY < box[1] || minX > box[2] || minY > box[3]) continue;
          const offset = Number(view.getBigUint64(at + 32, true));
          const bad = leaf ? head.featuresStart + offset >= head.fileBytes : offset < levels[level - 1][0] || offset >= levels[level - 1][1];
          if (bad) throw new InputError(href, `not a valid FlatGeobuf file: index node ${node} points to ${offset}, outside ${leaf ? 'the file' : 'the level below'}`);
          if (leaf) {
            const end = node + 1 < leafEnd ? Number(view.getBigUint64(at + NODE_BYTES + 32, true)) : head.fileBytes - head.featuresStart;
            hits.push({ index: node - firstLeaf, offset, end });
          } else {
            next.push([offset, Math.min(offset + nodeSize, levels[level - 1][1])]);
          }
        }
      }
    }
    if (leaf) return hits.sort((x, y) => x.offset - y.offset);
    wanted = next.sort((x, y) => x[0] - y[0]);
  }
  return [];
}

/** Byte ranges merged into runs where they are within GAP_BYTES of each other. */
function runsOf<T extends { start: number; end: number }>(ranges: T[]): { start: number; end: number; items: T[] }[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const runs: { start: number; end: number; items: T[] }[] = [];
  for (const r of sorted) {
    const last = runs[runs.length - 1];
    if (last && r.start - last.end <= GAP_BYTES) {
      last.end = Math.max(last.end, r.end);
      last.items.push(r);
    } else {
      runs.push({ start: r.start, end: r.end, items: [r] });
    }
  }
  return runs;
}

function treeSize(n: number, nodeSize: number): number {
  let level = n, total = n;
  do {
    level = Math.ceil(level / nodeSize);
    total += level;
  } while (level !== 1);
  return total;
}

/** [start, end) node indexes of each level, leaves first, as the tree is stored (root at node 0). */
function levelBounds(n: number, nodeSize: number): [number, number][] {
  const counts = [n];
  let level = n;
  do {
    level = Math.ceil(level / nodeSize);
    counts.push(level);
  } while (level !== 1);
  let end = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => {
    const bounds: [number, number] = [end - c, end];
    end -= c;
    return bounds;
  });
}
