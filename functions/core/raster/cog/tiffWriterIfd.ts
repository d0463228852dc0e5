/**
 * Little-endian TIFF / BigTIFF image file directories. A directory's size depends only on its tags' types
 * and counts, never on their values, which is what lets the COG writer reserve the header before any tile
 * is compressed and fill the tile offsets in afterwards.
 */
import { FIELD_TYPE, FIELD_TYPE_SIZE, type FieldTypeName } from '../tiffFieldTypes.ts';

/** The field types the COG writer uses. */
export type TagType = Extract<FieldTypeName, 'ASCII' | 'SHORT' | 'LONG' | 'LONG8' | 'DOUBLE'>;

export interface TiffTag {
  tag: number;
  type: TagType;
  /** Numbers for numeric types; a string (written NUL-terminated) for ASCII. */
  values: readonly number[] | string;
}

function layoutOf(bigTiff: boolean) {
  return bigTiff
    ? { countSize: 8, entrySize: 20, inlineSize: 8, nextSize: 8 }
    : { countSize: 2, entrySize: 12, inlineSize: 4, nextSize: 4 };
}

function valueCount(tag: TiffTag): number {
  return typeof tag.values === 'string' ? Buffer.byteLength(tag.values, 'latin1') + 1 : tag.values.length;
}

/** Bytes a value block occupies outside the entry, or 0 when it fits in the entry. Kept even (TIFF words). */
function outOfLineSize(tag: TiffTag, inlineSize: number): number {
  const bytes = valueCount(tag) * FIELD_TYPE_SIZE[FIELD_TYPE[tag.type]];
  return bytes <= inlineSize ? 0 : bytes + (bytes % 2);
}

/**
 * Bytes a directory with these tags takes, its out-of-line values included.
 *
 * @example
 * ifdByteLength([{ tag: 256, type: 'SHORT', values: [512] }], false); // 2 + 12 + 4 = 18
 */
export function ifdByteLength(tags: readonly TiffTag[], bigTiff: boolean): number {
  const l = layoutOf(bigTiff);
  let size = l.countSize + tags.length * l.entrySize + l.nextSize;
  for (const tag of tags) size += outOfLineSize(tag, l.inlineSize);
  return size;
}

/**
 * Encodes a directory that will sit at file offset `at`, its out-of-line values right after its entries.
 * Tags are sorted by number, as TIFF requires.
 *
 * @example
 * const bytes = encodeIfd(tags, false, 192, 0); // last directory in the chain
 */
export function encodeIfd(tags: readonly TiffTag[], bigTiff: boolean, at: number, nextIfd: number): Uint8Array {
  const l = layoutOf(bigTiff);
  const sorted = [...tags].sort((a, b) => a.tag - b.tag);
  const out = Buffer.alloc(ifdByteLength(sorted, bigTiff));
  let pos = 0;
  pos = writeUint(out, pos, sorted.length, l.countSize);
  let extra = l.countSize + sorted.length * l.entrySize + l.nextSize;
  for (const tag of sorted) {
    pos = out.writeUInt16LE(tag.tag, pos);
    pos = out.writeUInt16LE(FIELD_TYPE[tag.type], pos);
    pos = writeUint(out, pos, valueCount(tag), l.inlineSize);
    const ool = outOfLineSize(tag, l.inlineSize);
    if (ool === 0) {
      writeValues(out, pos, tag);
    } else {
      writeUint(out, pos, at + extra, l.inlineSize);
      writeValues(out, extra, tag);
      extra += ool;
    }
    pos += l.inlineSize;
  }
  writeUint(out, pos, nextIfd, l.nextSize);
  return out;
}

function writeValues(out: Buffer, pos: number, tag: TiffTag): void {
  if (typeof tag.values === 'string') {
    out.write(tag.values, pos, 'latin1');
    return;
  }
  const size = FIELD_TYPE_SIZE[FIELD_TYPE[tag.type]];
  for (const v of tag.values) {
    if (tag.type === 'SHORT') out.writeUInt16LE(v, pos);
    else if (tag.type === 'LONG') out.writeUInt32LE(v, pos);
    else if (tag.type === 'LONG8') out.writeBigUInt64LE(BigInt(v), pos);
    else out.writeDoubleLE(v, pos);
    pos += size;
  }
}

function writeUint(out: Buffer, pos: number, value: number, size: number): number {
  if (size === 2) return out.writeUInt16LE(value, pos);
  if (size === 4) return out.writeUInt32LE(value, pos);
  return out.writeBigUInt64LE(BigInt(value), pos);
}
