/**
 * The bytes of one TIFF as the reader sees them: its size, the header regions kept from opening it (the
 * first 64 KiB, and the first IFD with what follows it when the IFD sits elsewhere, as in files that are not
 * COGs), and range reads through the storage seam that refuse to go past the end of the file.
 *
 * @example
 * const bytes = await TiffBytes.open('file:///data/B04.tif');
 * const ifd = await bytes.read(8, 200);
 */
import { BadTiffError, InputError } from '../../errors.ts';
import { storageFor, type Storage } from '../../io/storage.ts';
import { HEADER_PROBE_BYTES } from './tiffLimits.ts';

interface Region {
  offset: number;
  bytes: Uint8Array;
}

export class TiffBytes {
  readonly href: string;
  readonly size: number;
  private readonly storage: Pick<Storage, 'readRange'>;
  private readonly regions: Region[];

  private constructor(href: string, storage: Pick<Storage, 'readRange'>, size: number, header: Uint8Array) {
    this.href = href;
    this.storage = storage;
    this.size = size;
    this.regions = [{ offset: 0, bytes: header }];
  }

  static async open(href: string): Promise<TiffBytes> {
    const storage = storageFor(href);
    // The header read comes first: an https storage learns the size from its Content-Range answer.
    const header = await storage.readRange(href, 0, HEADER_PROBE_BYTES);
    const size = await storage.size(href);
    if (size === undefined) throw new InputError(href, 'file not found');
    return new TiffBytes(href, storage, size, header.subarray(0, Math.min(header.length, size)));
  }

  /** Bytes already in memory (the GeoTIFF inside a GeoJP2 box), read through the same checks. */
  static fromBytes(href: string, bytes: Uint8Array): TiffBytes {
    const inMemory = { readRange: async (_: string, offset: number, length: number) => bytes.subarray(offset, offset + length) };
    return new TiffBytes(href, inMemory, bytes.length, bytes);
  }

  /** Reads and keeps up to HEADER_PROBE_BYTES from `offset` (an IFD and the tag values after it). */
  async keep(offset: number): Promise<void> {
    if (offset >= this.size || this.cached(offset, 1)) return;
    const bytes = await this.storage.readRange(this.href, offset, Math.min(HEADER_PROBE_BYTES, this.size - offset));
    this.regions.push({ offset, bytes });
  }

  /** Bytes [offset, offset+length); kept header regions serve what they cover. */
  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new BadTiffError(this.href, `${what} (bytes ${offset}..${offset + length}) lies past the end of the file (${this.size} bytes)`);
    }
    const bytes = this.cached(offset, length) ?? (await this.storage.readRange(this.href, offset, length));
    if (bytes.length < length) {
      throw new BadTiffError(this.href, `${what} is truncated: got ${bytes.length} of ${length} bytes at offset ${offset}`);
    }
    return bytes;
  }

  /** Like `read`, but returns whatever the storage has (shorter if the file ends early) for callers that name the missing part. */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    return this.cached(offset, length) ?? this.storage.readRange(this.href, offset, length);
  }

  private cached(offset: number, length: number): Uint8Array | undefined {
    for (const r of this.regions) {
      if (offset >= r.offset && offset + length <= r.offset + r.bytes.length) {
        return r.bytes.subarray(offset - r.offset, offset - r.offset + length);
      }
    }
    return undefined;
  }
}
