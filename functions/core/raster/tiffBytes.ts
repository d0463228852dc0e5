/**
 * The bytes of one TIFF as the reader sees them: its size, the header kept from opening it, and range reads
 * through the storage seam that refuse to go past the end of the file.
 *
 * @example
 * const bytes = await TiffBytes.open('file:///data/B04.tif');
 * const ifd = await bytes.read(8, 200);
 */
import { BadTiffError, InputError } from '../errors.ts';
import { storageFor, type Storage } from '../io/storage.ts';
import { HEADER_PROBE_BYTES } from './tiffLimits.ts';

export class TiffBytes {
  readonly href: string;
  readonly size: number;
  private readonly storage: Storage;
  private readonly header: Uint8Array;

  private constructor(href: string, storage: Storage, size: number, header: Uint8Array) {
    this.href = href;
    this.storage = storage;
    this.size = size;
    this.header = header;
  }

  static async open(href: string): Promise<TiffBytes> {
    const storage = storageFor(href);
    // The header read comes first: an https storage learns the size from its Content-Range answer.
    const header = await storage.readRange(href, 0, HEADER_PROBE_BYTES);
    const size = await storage.size(href);
    if (size === undefined) throw new InputError(href, 'file not found');
    return new TiffBytes(href, storage, size, header.subarray(0, Math.min(header.length, size)));
  }

  /** Bytes [offset, offset+length); the cached header serves what it covers. */
  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new BadTiffError(this.href, `${what} (bytes ${offset}..${offset + length}) lies past the end of the file (${this.size} bytes)`);
    }
    if (offset + length <= this.header.length) return this.header.subarray(offset, offset + length);
    const bytes = await this.storage.readRange(this.href, offset, length);
    if (bytes.length < length) {
      throw new BadTiffError(this.href, `${what} is truncated: got ${bytes.length} of ${length} bytes at offset ${offset}`);
    }
    return bytes;
  }

  /** Like `read`, but returns whatever the storage has (shorter if the file ends early) for callers that name the missing part. */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    if (offset + length <= this.header.length) return this.header.subarray(offset, offset + length);
    return this.storage.readRange(this.href, offset, length);
  }
}
