/**
 * Reads the TIFF (or BigTIFF) header and the entries of its first image file directory, the full-resolution
 * image. Values are loaded on demand and each load is bounded: by the file size (a claim of more bytes than
 * the file holds is rejected) and by a per-tag cap, so nothing is allocated from an unchecked count.
 *
 * @example
 * const dir = await TiffDirectory.read(await TiffBytes.open(href));
 * const width = await dir.number(TAG.ImageWidth);
 */
import { BadTiffError } from '../../errors.ts';
import { FIELD_TYPE as T, FIELD_TYPE_SIZE } from '../tiffFieldTypes.ts';
import type { TiffBytes } from './tiffBytes.ts';
import { TIFF_LIMITS } from './tiffLimits.ts';

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Absolute file offset of the value bytes (inside the IFD itself when they fit there). */
  valueOffset: number;
}

export class TiffDirectory {
  readonly bytes: TiffBytes;
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  readonly entries: Map<number, IfdEntry>;

  private constructor(bytes: TiffBytes, littleEndian: boolean, bigTiff: boolean, entries: Map<number, IfdEntry>) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.bigTiff = bigTiff;
    this.entries = entries;
  }

  static async read(bytes: TiffBytes): Promise<TiffDirectory> {
    const bad = (msg: string) => new BadTiffError(bytes.href, msg);
    if (bytes.size < 8) throw bad('not a TIFF file (shorter than a TIFF header)');
    const head = viewOf(await bytes.read(0, Math.min(16, bytes.size), 'TIFF header'));
    const order = head.getUint16(0, false);
    if (order !== 0x4949 && order !== 0x4d4d) throw bad('not a TIFF file (no II/MM byte-order mark)');
    const le = order === 0x4949;
    const magic = head.getUint16(2, le);
    if (magic !== 42 && magic !== 43) throw bad(`not a TIFF file (magic number ${magic}, expected 42 or 43)`);
    const big = magic === 43;
    if (big && (head.byteLength < 16 || head.getUint16(4, le) !== 8)) throw bad('BigTIFF header is malformed');
    const ifdOffset = big ? toNumber(head.getBigUint64(8, le)) : head.getUint32(4, le);
    if (ifdOffset < 8 || ifdOffset >= bytes.size) throw bad(`first IFD offset ${ifdOffset} is outside the file`);

    await bytes.keep(ifdOffset);
    const countSize = big ? 8 : 2;
    const countView = viewOf(await bytes.read(ifdOffset, countSize, 'IFD entry count'));
    const n = big ? toNumber(countView.getBigUint64(0, le)) : countView.getUint16(0, le);
    if (n < 1 || n > TIFF_LIMITS.maxIfdEntries) {
      throw bad(`IFD claims ${n} entries (allowed 1..${TIFF_LIMITS.maxIfdEntries})`);
    }
    const entrySize = big ? 20 : 12;
    const raw = await bytes.read(ifdOffset + countSize, n * entrySize, 'IFD');
    const view = viewOf(raw);
    const entries = new Map<number, IfdEntry>();
    for (let i = 0; i < n; i++) {
      const at = i * entrySize;
      const tag = view.getUint16(at, le);
      const type = view.getUint16(at + 2, le);
      const count = big ? toNumber(view.getBigUint64(at + 4, le)) : view.getUint32(at + 4, le);
      const size = FIELD_TYPE_SIZE[type];
      if (size === undefined) continue;
      const inline = size * count <= (big ? 8 : 4);
      const valueField = at + (big ? 12 : 8);
      const valueOffset = inline
        ? ifdOffset + countSize + valueField
        : big ? toNumber(view.getBigUint64(valueField, le)) : view.getUint32(valueField, le);
      entries.set(tag, { tag, type, count, valueOffset });
    }
    return new TiffDirectory(bytes, le, big, entries);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** All values of a numeric tag; `maxCount` bounds what the header may claim (default: the tag byte cap). */
  async numbers(tag: number, name: string, maxCount?: number): Promise<Float64Array | undefined> {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    const size = FIELD_TYPE_SIZE[entry.type];
    if (entry.type === T.ASCII) throw this.bad(`${name} has type ASCII, expected a number`);
    const cap = maxCount ?? Math.floor(TIFF_LIMITS.maxTagBytes / size);
    if (entry.count > cap) throw this.bad(`${name} claims ${entry.count} values (at most ${cap} allowed)`);
    const raw = await this.bytes.read(entry.valueOffset, entry.count * size, name);
    return decodeNumbers(raw, entry.type, entry.count, this.littleEndian);
  }

  /** The first value of a numeric tag. */
  async number(tag: number, name: string): Promise<number | undefined> {
    const values = await this.numbers(tag, name);
    if (values && values.length === 0) throw this.bad(`${name} has no value`);
    return values?.[0];
  }

  /** An ASCII tag without its trailing NUL. */
  async ascii(tag: number, name: string): Promise<string | undefined> {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    if (entry.type !== T.ASCII && entry.type !== T.BYTE && entry.type !== T.UNDEFINED) throw this.bad(`${name} is not text`);
    if (entry.count > TIFF_LIMITS.maxTagBytes) throw this.bad(`${name} claims ${entry.count} bytes of text`);
    const raw = await this.bytes.read(entry.valueOffset, entry.count, name);
    const end = raw.indexOf(0);
    return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
  }

  private bad(message: string): BadTiffError {
    return new BadTiffError(this.bytes.href, message);
  }
}

function decodeNumbers(raw: Uint8Array, type: number, count: number, le: boolean): Float64Array {
  const view = viewOf(raw);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case T.BYTE: case T.UNDEFINED: out[i] = view.getUint8(i); break;
      case T.SBYTE: out[i] = view.getInt8(i); break;
      case T.SHORT: out[i] = view.getUint16(i * 2, le); break;
      case T.SSHORT: out[i] = view.getInt16(i * 2, le); break;
      case T.LONG: case T.IFD: out[i] = view.getUint32(i * 4, le); break;
      case T.SLONG: out[i] = view.getInt32(i * 4, le); break;
      case T.FLOAT: out[i] = view.getFloat32(i * 4, le); break;
      case T.DOUBLE: out[i] = view.getFloat64(i * 8, le); break;
      case T.LONG8: case T.IFD8: out[i] = Number(view.getBigUint64(i * 8, le)); break;
      case T.SLONG8: out[i] = Number(view.getBigInt64(i * 8, le)); break;
      case T.RATIONAL: out[i] = view.getUint32(i * 8, le) / view.getUint32(i * 8 + 4, le); break;
      case T.SRATIONAL: out[i] = view.getInt32(i * 8, le) / view.getInt32(i * 8 + 4, le); break;
    }
  }
  return out;
}

function toNumber(v: bigint): number {
  // Beyond 2^53 the value cannot be a real offset or count; it becomes an infinite claim that checks reject.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
