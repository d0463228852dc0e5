/**
 * Where each tile's data lies in the code-stream: the byte ranges of its tile-parts, in code-stream order.
 * From the TLM marker when the encoder wrote one (no extra read), else from an index an earlier opening of the
 * same file found (`known`, matched by the file's size: no extra read either), else by hopping from one SOT
 * marker to the next with a 12-byte read each (ESA's Kakadu-encoded Sentinel-2 files have no TLM: one hop per
 * tile). Lengths are checked against the code-stream's end, tile indices against the tile count, the count
 * against JP2_LIMITS, whichever way the index came.
 *
 * @example
 * const parts = await readJ2kTileParts(bytes, header);
 * parts[12];  // [{ offset: 803911, length: 61234 }, ...] the tile-parts of tile 12
 */
import { BadJp2Error } from '../../../errors.ts';
import type { TiffBytes } from '../tiffBytes.ts';
import type { TilePartIndex } from '../raster.ts';
import { JP2_LIMITS } from './jp2Limits.ts';
import { MARKER, type J2kMainHeader } from './j2kMainHeader.ts';

export interface TilePart {
  offset: number;
  length: number;
}

export async function readJ2kTileParts(bytes: TiffBytes, header: J2kMainHeader, known?: TilePartIndex): Promise<TilePart[][]> {
  const tiles = header.tilesAcross * header.tilesDown;
  const perTile: TilePart[][] = Array.from({ length: tiles }, () => []);
  const bad = (msg: string) => new BadJp2Error(bytes.href, msg);
  const add = (tile: number, offset: number, length: number) => {
    if (tile >= tiles) throw bad(`tile-part at byte ${offset} names tile ${tile}, but the image has ${tiles} tiles`);
    if (length < 14) throw bad(`tile-part at byte ${offset} claims ${length} bytes, less than its SOT and SOD markers`);
    if (offset + length > header.end) {
      throw bad(`tile-part of tile ${tile} (bytes ${offset}..${offset + length}) runs past the end of the code-stream (${header.end}): the file is truncated`);
    }
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < header.firstTilePart) throw bad(`tile-part index names bytes ${offset}+${length}, outside the code-stream's tile-parts`);
    perTile[tile].push({ offset, length });
  };
  if (header.tlm) {
    if (header.tlm.length > JP2_LIMITS.maxTileParts) throw bad(`TLM lists ${header.tlm.length} tile-parts (at most ${JP2_LIMITS.maxTileParts})`);
    let offset = header.firstTilePart;
    header.tlm.forEach((entry, i) => {
      add(entry.tile ?? i, offset, entry.length);
      offset += entry.length;
    });
    return perTile;
  }
  if (known && known.size === bytes.size && known.parts.length === tiles) {
    const count = known.parts.reduce((n, p) => n + p.length / 2, 0);
    if (count > JP2_LIMITS.maxTileParts) throw bad(`the tile-part index lists ${count} tile-parts (at most ${JP2_LIMITS.maxTileParts})`);
    known.parts.forEach((pairs, tile) => {
      for (let k = 0; k + 1 < pairs.length; k += 2) add(tile, pairs[k], pairs[k + 1]);
    });
    return perTile;
  }
  let offset = header.firstTilePart;
  for (let count = 0; offset + 2 <= header.end; count++) {
    if (count >= JP2_LIMITS.maxTileParts) throw bad(`more than ${JP2_LIMITS.maxTileParts} tile-parts`);
    const head = new DataView((await bytes.read(offset, Math.min(12, header.end - offset), 'tile-part header')).slice().buffer);
    const marker = head.getUint16(0);
    if (marker === MARKER.EOC) break;
    if (marker !== MARKER.SOT || head.byteLength < 12) throw bad(`expected a tile-part (SOT) at byte ${offset}: the code-stream is corrupt or truncated`);
    const psot = head.getUint32(6);
    // Psot 0: the last tile-part, running to the EOC marker that ends the code-stream.
    const length = psot === 0 ? header.end - 2 - offset : psot;
    add(head.getUint16(4), offset, length);
    offset += length;
  }
  return perTile;
}

/** The index as a raster hands it on (`Raster.jp2TileParts`): plain numbers, deterministic JSON. */
export function tilePartIndexOf(size: number, perTile: TilePart[][]): TilePartIndex {
  return { size, parts: perTile.map((parts) => parts.flatMap((p) => [p.offset, p.length])) };
}
