/**
 * The bytes a parcel-aggregate partition hands to the merge: its parcels in file order, each with its id and,
 * per item and band, `count`, `nodata_count` and the statistic columns (NaN for none). Little-endian:
 *   header  "EPA1" u32 parcels, u16 items, u16 bands, u16 stats, u16 0
 *   parcel  u32 index, u32 id length, id UTF-8, then items × bands × (i32 count, i32 nodata, f64 × stats)
 * `PartReader` decodes it from a byte source chunk by chunk, so the merge holds a window of each part only.
 *
 * @example
 * const bytes = encodeParcelPart({ items: 1, bands: 1, stats: 1 }, [{ index: 0, id: 'a', counts: Int32Array.of(3, 0), stats: Float64Array.of(0.5) }]);
 */
export interface PartShape {
  items: number;
  bands: number;
  stats: number;
}

export interface ParcelRecord {
  index: number;
  id: string;
  /** items × bands pairs of (count, nodata_count). */
  counts: Int32Array;
  /** items × bands × stats values. */
  stats: Float64Array;
}

const MAGIC = 0x31415045; // "EPA1"
const HEADER = 16;
const DECODER = new TextDecoder();

export function encodeParcelPart(shape: PartShape, records: ParcelRecord[]): Uint8Array {
  const blocks = shape.items * shape.bands;
  const counts = new Int32Array(2 * blocks * records.length);
  const stats = new Float64Array(blocks * shape.stats * records.length);
  records.forEach((r, p) => {
    counts.set(r.counts, 2 * blocks * p);
    stats.set(r.stats, blocks * shape.stats * p);
  });
  return encodeParcelResults(shape, records, { counts, stats });
}

/**
 * `encodeParcelPart` from a partition's flat results (parcel p, block b at counts[2 (p·blocks + b)] and
 * stats[(p·blocks + b)·stats]), without a record object per parcel.
 */
export function encodeParcelResults(shape: PartShape, parcels: { index: number; id: string }[], results: { counts: Int32Array; stats: Float64Array }): Uint8Array {
  const enc = new TextEncoder();
  const ids = parcels.map((p) => enc.encode(p.id));
  const blocks = shape.items * shape.bands;
  const fixed = 8 + blocks * (8 + 8 * shape.stats);
  let size = HEADER;
  for (const id of ids) size += fixed + id.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, parcels.length, true);
  view.setUint16(8, shape.items, true);
  view.setUint16(10, shape.bands, true);
  view.setUint16(12, shape.stats, true);
  const { counts, stats } = results;
  let pos = HEADER;
  for (let p = 0; p < parcels.length; p++) {
    view.setUint32(pos, parcels[p].index, true);
    view.setUint32(pos + 4, ids[p].length, true);
    bytes.set(ids[p], pos + 8);
    pos += 8 + ids[p].length;
    for (let b = 0; b < blocks; b++) {
      const slot = p * blocks + b;
      view.setInt32(pos, counts[2 * slot], true);
      view.setInt32(pos + 4, counts[2 * slot + 1], true);
      pos += 8;
      for (let s = 0; s < shape.stats; s++, pos += 8) view.setFloat64(pos, stats[slot * shape.stats + s], true);
    }
  }
  return bytes;
}

/** Reads bytes [offset, offset + length) of a part; fewer only at its end. */
export type ReadChunk = (offset: number, length: number) => Promise<Uint8Array>;

/** Decodes a part record by record, fetching `chunkBytes` at a time. */
export class PartReader {
  private readChunk: ReadChunk;
  private chunkBytes: number;
  private buf = new Uint8Array(0);
  private pos = 0;
  private fileOffset = 0;
  private left = 0;
  shape: PartShape = { items: 0, bands: 0, stats: 0 };

  constructor(readChunk: ReadChunk, chunkBytes: number) {
    this.readChunk = readChunk;
    this.chunkBytes = chunkBytes;
  }

  /** Reads the header; returns how many parcel records follow. */
  async open(): Promise<number> {
    await this.ensure(HEADER);
    const view = this.view();
    if (view.getUint32(this.pos, true) !== MAGIC) throw new Error('not a parcel-aggregate part (bad magic)');
    this.left = view.getUint32(this.pos + 4, true);
    this.shape = { items: view.getUint16(this.pos + 8, true), bands: view.getUint16(this.pos + 10, true), stats: view.getUint16(this.pos + 12, true) };
    this.pos += HEADER;
    return this.left;
  }

  /** The next record, or undefined at the end of the part. */
  async next(): Promise<ParcelRecord | undefined> {
    if (this.left === 0) return undefined;
    this.left--;
    await this.ensure(8);
    let view = this.view();
    const index = view.getUint32(this.pos, true);
    const idLength = view.getUint32(this.pos + 4, true);
    const blocks = this.shape.items * this.shape.bands;
    await this.ensure(8 + idLength + blocks * (8 + 8 * this.shape.stats));
    view = this.view();
    const id = DECODER.decode(this.buf.subarray(this.pos + 8, this.pos + 8 + idLength));
    let p = this.pos + 8 + idLength;
    const counts = new Int32Array(2 * blocks);
    const stats = new Float64Array(blocks * this.shape.stats);
    for (let b = 0; b < blocks; b++) {
      counts[2 * b] = view.getInt32(p, true);
      counts[2 * b + 1] = view.getInt32(p + 4, true);
      p += 8;
      for (let s = 0; s < this.shape.stats; s++, p += 8) stats[b * this.shape.stats + s] = view.getFloat64(p, true);
    }
    this.pos = p;
    return { index, id, counts, stats };
  }

  private view(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Makes at least `n` unread bytes available (a record larger than a chunk is fetched whole). */
  private async ensure(n: number): Promise<void> {
    const have = this.buf.length - this.pos;
    if (have >= n) return;
    const want = Math.max(n - have, this.chunkBytes);
    const more = await this.readChunk(this.fileOffset, want);
    this.fileOffset += more.length;
    if (have + more.length < n) throw new Error('truncated parcel-aggregate part');
    const next = new Uint8Array(have + more.length);
    next.set(this.buf.subarray(this.pos), 0);
    next.set(more, have);
    this.buf = next;
    this.pos = 0;
  }
}
