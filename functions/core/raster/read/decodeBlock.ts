/**
 * Turns the stored bytes of one block into host-order samples. DEFLATE goes through Node's native zlib: the
 * async `inflate` runs on libuv's thread pool, so many blocks in flight use every core without workers, and
 * its output buffer is sized to the block so each block inflates in one pass (and bounds a zip bomb). LZW and
 * PackBits use our own decoders, which write at most one block's bytes. Predictors are undone here.
 *
 * @example
 * const samples = await decodeBlock(layout, bytes, { width: 512, rows: 512 }, 'tile 3', href); // Uint16Array
 */
import { inflate } from 'node:zlib';
import { BadTiffError } from '../../errors.ts';
import { ARRAY_OF } from '../dtypes.ts';
import { decodeLzw } from './decodeLzw.ts';
import { unpackBits } from './unpackBits.ts';
import { undoFloatingPointPredictor, undoHorizontalPredictor } from './predictor.ts';
import type { TiffLayout } from './tiffLayout.ts';
import type { TypedArray } from '../types.ts';

/** Slack allowed beyond the expected decoded size (some writers pad), still a hard bound on memory. */
const INFLATE_SLACK = 64 * 1024;

export interface BlockShape {
  width: number;
  /** Rows stored in this block: the tile height, or fewer for the last strip of a stripped file. */
  rows: number;
}

export async function decodeBlock(
  layout: TiffLayout, stored: Uint8Array, shape: BlockShape, what: string, href: string,
): Promise<TypedArray> {
  const samples = layout.planar === 1 ? layout.bands : 1;
  const count = shape.width * shape.rows * samples;
  const expected = count * layout.bytesPerSample;
  const raw = await decompress(layout, stored, expected, what, href);
  if (raw.length < expected) {
    throw new BadTiffError(href, `${what} is truncated: it decodes to ${raw.length} bytes, expected ${expected}`);
  }
  const Typed = ARRAY_OF[layout.dtype];
  if (layout.predictor === 3) {
    const out = new Typed(count);
    const outBytes = new Uint8Array(out.buffer, out.byteOffset, expected);
    const work = layout.compression === 1 ? copyOf(raw, expected) : raw;
    undoFloatingPointPredictor(work, outBytes, shape.width, shape.rows, samples, layout.bytesPerSample);
    return out;
  }
  // A view is enough when the buffer is ours (decompressed) and aligned; stored bytes may be shared caches.
  const own = layout.compression !== 1 && raw.byteOffset % layout.bytesPerSample === 0;
  const bytes = own ? raw : copyOf(raw, expected);
  if (!layout.littleEndian && layout.bytesPerSample > 1) swapBytes(bytes, expected, layout.bytesPerSample);
  const data = new Typed(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  if (layout.predictor === 2) undoHorizontalPredictor(data, shape.width, shape.rows, samples);
  return data;
}

async function decompress(
  layout: TiffLayout, stored: Uint8Array, expected: number, what: string, href: string,
): Promise<Uint8Array> {
  const { compression } = layout;
  if (compression === 1) return stored;
  if (compression === 8 || compression === 32946) {
    return new Promise((resolve, reject) => {
      const options = { chunkSize: Math.max(64, expected + 64), maxOutputLength: expected + INFLATE_SLACK };
      inflate(stored, options, (err, out) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ERR_BUFFER_TOO_LARGE') {
          reject(new BadTiffError(href, `${what} inflates beyond the ${expected} bytes its size and ${layout.planar === 1 ? layout.bands : 1} band(s) can hold (a zip bomb?)`));
        } else if (err) reject(new BadTiffError(href, `${what}: DEFLATE data is corrupt or truncated (${err.message})`));
        else resolve(out);
      });
    });
  }
  try {
    return compression === 5 ? decodeLzw(stored, expected) : unpackBits(stored, expected);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new BadTiffError(href, `${what}: ${compression === 5 ? 'LZW' : 'PackBits'} data is corrupt (${reason})`);
  }
}

/** A fresh, aligned copy (not `slice`, which only makes a view when the bytes are a Node Buffer). */
function copyOf(bytes: Uint8Array, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(0, length));
  return copy;
}

function swapBytes(bytes: Uint8Array, length: number, size: number): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, length);
  if (size === 2) view.swap16();
  else if (size === 4) view.swap32();
  else view.swap64();
}
