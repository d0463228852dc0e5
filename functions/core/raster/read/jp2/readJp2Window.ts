/**
 * Reads one band of a window of a JPEG 2000 code-stream, at full resolution or `level` halvings below it:
 * finds the tiles the window touches, fetches their tile-parts in merged range requests, and decodes each
 * tile as soon as its bytes are in (in parallel, see decodeTile), copying the window's part of it into the
 * output. Pixels outside the image get `fill`.
 *
 * @example
 * const red = await readJp2Window(source, { x: 0, y: 0, width: 1024, height: 1024 }, 0, 0, 0);  // Uint16Array
 */
import { BadJp2Error, InputError } from '../../../errors.ts';
import { concurrencyLimit } from '../concurrencyLimit.ts';
import { allocate } from '../../dtypes.ts';
import { planRangeReads } from '../planRangeReads.ts';
import type { TiffBytes } from '../tiffBytes.ts';
import type { TypedArray, Window } from '../../types.ts';
import { DECODE_FAILED, type DecodedTile } from './decodeJ2kTile.ts';
import { decodeThreads, decodeTile } from './j2kDecodePool.ts';
import type { J2kMainHeader } from './j2kMainHeader.ts';
import type { TilePart } from './j2kTileParts.ts';
import { tileBounds, tileCodestream, tileSizeAt, type TileBounds } from './j2kTileCodestream.ts';

/** Range requests in flight at once, as for TIFF. */
const FETCH_CONCURRENCY = 4;

export interface J2kSource {
  bytes: TiffBytes;
  header: J2kMainHeader;
  parts: TilePart[][];
}

interface PartRange extends TilePart { tile: number; slot: number }

export async function readJp2Window(source: J2kSource, window: Window, band: number, fill: number, level: number): Promise<TypedArray> {
  const { bytes, header } = source;
  checkRequest(bytes.href, header, window, band, level);
  const f = 2 ** level;
  const left = Math.ceil(header.x0 / f);
  const top = Math.ceil(header.y0 / f);
  const levelWidth = Math.ceil(header.x1 / f) - left;
  const levelHeight = Math.ceil(header.y1 / f) - top;
  const out = allocate(header.dtype, window.width * window.height);
  const clip = {
    x0: Math.max(window.x, 0), y0: Math.max(window.y, 0),
    x1: Math.min(window.x + window.width, levelWidth), y1: Math.min(window.y + window.height, levelHeight),
  };
  const partial = clip.x0 > window.x || clip.y0 > window.y || clip.x1 < window.x + window.width || clip.y1 < window.y + window.height;
  if (fill !== 0 && partial) out.fill(fill);
  if (clip.x1 <= clip.x0 || clip.y1 <= clip.y0) return out;

  // Tiles are found on the level's grid: a tile spans [ceil(tx0/f), ceil(tx1/f)) there.
  const ranges: PartRange[] = [];
  const wanted = new Map<number, { bounds: TileBounds; got: Uint8Array[]; missing: number }>();
  for (let row = 0; row < header.tilesDown; row++) {
    for (let col = 0; col < header.tilesAcross; col++) {
      const index = row * header.tilesAcross + col;
      const b = tileBounds(header, index);
      const [bx0, by0, bx1, by1] = [Math.ceil(b.x0 / f) - left, Math.ceil(b.y0 / f) - top, Math.ceil(b.x1 / f) - left, Math.ceil(b.y1 / f) - top];
      if (bx1 <= clip.x0 || bx0 >= clip.x1 || by1 <= clip.y0 || by0 >= clip.y1 || bx1 <= bx0 || by1 <= by0) continue;
      const parts = partsFor(header, source.parts[index], level);
      if (parts.length === 0) throw new BadJp2Error(bytes.href, `tile ${index} has no data in the code-stream: the file is truncated`);
      wanted.set(index, { bounds: b, got: new Array(parts.length), missing: parts.length });
      parts.forEach((p, slot) => ranges.push({ ...p, tile: index, slot }));
    }
  }

  const fetchSlot = concurrencyLimit(FETCH_CONCURRENCY);
  // Enough tiles in flight to keep every decode thread busy while the next bytes arrive, few enough to bound memory.
  const decodeSlot = concurrencyLimit(decodeThreads() * 2);
  const decodes: Promise<void>[] = [];
  await Promise.all(planRangeReads(ranges).map((read) => fetchSlot(async () => {
    const got = await bytes.readUpTo(read.offset, read.length);
    for (const part of read.parts) {
      const start = part.offset - read.offset;
      if (start + part.length > got.length) {
        throw new BadJp2Error(bytes.href, `tile ${part.tile} (bytes ${part.offset}..${part.offset + part.length}) is past the end of the file: the file is truncated`);
      }
      const tile = wanted.get(part.tile)!;
      tile.got[part.slot] = got.subarray(start, start + part.length);
      if (--tile.missing > 0) continue;
      const stream = tileCodestream(header, part.tile, tile.got, bytes.href);
      tile.got = [];
      const decoding = decodeSlot(async () => {
        const size = tileSizeAt(tile.bounds, level);
        let decoded: DecodedTile;
        try {
          decoded = await decodeTile(stream, level, size);
        } catch (e) {
          const message = (e as Error).message;
          // Bad data is bad input (not retried); a missing .wasm or a dead worker is the installation's fault.
          if (message.startsWith(DECODE_FAILED)) throw new BadJp2Error(bytes.href, `tile ${part.tile}: ${message}`);
          throw new Error(`${bytes.href}: tile ${part.tile}: ${message}`, { cause: e });
        }
        place(out, window, clip, decoded, Math.ceil(tile.bounds.x0 / f) - left, Math.ceil(tile.bounds.y0 / f) - top, band, header.dtype);
      });
      // Awaited below; marked handled now so that a fetch failing first cannot leave it an unhandled rejection.
      decoding.catch(() => undefined);
      decodes.push(decoding);
    }
  })));
  await Promise.all(decodes);
  return out;
}

/**
 * The tile-parts a decode at `level` needs: all of them, except when the tile is stored as one tile-part per
 * resolution in resolution-major order (as the archive's encoders write with tile-parts by resolution), where
 * the finest `level` resolutions are the last `level` tile-parts and are neither fetched nor decoded.
 */
export function partsFor(header: J2kMainHeader, parts: TilePart[], level: number): TilePart[] {
  if (level === 0 || !header.resolutionMajor || parts.length !== header.levels + 1) return parts;
  return parts.slice(0, parts.length - level);
}

function place(
  out: TypedArray, window: Window, clip: { x0: number; y0: number; x1: number; y1: number },
  tile: DecodedTile, bx: number, by: number, band: number, dtype: string,
): void {
  const samples = viewOf(tile, dtype);
  const xs = Math.max(clip.x0, bx);
  const xe = Math.min(clip.x1, bx + tile.width);
  const ys = Math.max(clip.y0, by);
  const ye = Math.min(clip.y1, by + tile.height);
  const n = xe - xs;
  const c = tile.components;
  for (let y = ys; y < ye; y++) {
    const src = ((y - by) * tile.width + (xs - bx)) * c + band;
    const dst = (y - window.y) * window.width + (xs - window.x);
    if (c === 1) out.set(samples.subarray(src, src + n), dst);
    else for (let i = 0, s = src; i < n; i++, s += c) out[dst + i] = samples[s];
  }
}

function viewOf(tile: DecodedTile, dtype: string): TypedArray {
  const { data } = tile;
  const n = data.length / tile.bytesPerSample;
  if (tile.bytesPerSample === 1) return dtype === 'int8' ? new Int8Array(data.buffer, data.byteOffset, n) : data;
  return dtype === 'int16' ? new Int16Array(data.buffer, data.byteOffset, n) : new Uint16Array(data.buffer, data.byteOffset, n);
}

function checkRequest(href: string, header: J2kMainHeader, window: Window, band: number, level: number): void {
  if (!Number.isInteger(band) || band < 0 || band >= header.components) {
    throw new InputError(href, `band ${band} does not exist (the file has ${header.components}, numbered from 0)`);
  }
  if (!Number.isInteger(level) || level < 0 || level > header.levels) {
    throw new InputError(href, `resolution level ${level} does not exist (the file has 0..${header.levels})`);
  }
  const { x, y, width, height } = window;
  if (![x, y, width, height].every(Number.isSafeInteger) || width < 0 || height < 0) {
    throw new InputError(href, `invalid window ${JSON.stringify(window)}: integers expected, size not negative`);
  }
}
