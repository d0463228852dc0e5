/**
 * Builds a code-stream holding one tile of a larger image, so that OpenJPEG decodes that tile alone (and
 * allocates for it alone): the SIZ is rewritten so the image is exactly the tile, at the same reference-grid
 * coordinates, so the wavelet phases, and thus every sample, are those of a whole-image decode. The tile
 * becomes tile 0 of its own one-tile grid; its tile-parts are copied as stored.
 *
 * @example
 * const stream = tileCodestream(header, 12, [part0, part1]);  // SOC SIZ COD QCD SOT... EOC
 */
import { BadJp2Error } from '../../../errors.ts';
import { MARKER, type J2kMainHeader } from './j2kMainHeader.ts';

export interface TileBounds {
  x0: number; y0: number; x1: number; y1: number;
}

/** The area of tile `index` on the reference grid. */
export function tileBounds(header: J2kMainHeader, index: number): TileBounds {
  const col = index % header.tilesAcross;
  const row = Math.floor(index / header.tilesAcross);
  const tx = header.tileX0 + col * header.tileWidth;
  const ty = header.tileY0 + row * header.tileHeight;
  return {
    x0: Math.max(tx, header.x0), y0: Math.max(ty, header.y0),
    x1: Math.min(tx + header.tileWidth, header.x1), y1: Math.min(ty + header.tileHeight, header.y1),
  };
}

export function tileCodestream(header: J2kMainHeader, index: number, parts: Uint8Array[], href: string): Uint8Array {
  const b = tileBounds(header, index);
  const col = index % header.tilesAcross;
  const row = Math.floor(index / header.tilesAcross);
  const siz = header.siz.slice();
  const v = new DataView(siz.buffer);
  // Xsiz, Ysiz, XOsiz, YOsiz, (XTsiz, YTsiz unchanged), XTOsiz, YTOsiz
  v.setUint32(0, b.x1); v.setUint32(4, b.y1); v.setUint32(8, b.x0); v.setUint32(12, b.y0);
  v.setUint32(24, header.tileX0 + col * header.tileWidth); v.setUint32(28, header.tileY0 + row * header.tileHeight);
  const kept = header.kept.reduce((n, s) => n + s.length, 0);
  const body = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(2 + 6 + siz.length + kept + body + 2);
  const o = new DataView(out.buffer);
  o.setUint16(0, MARKER.SOC);
  o.setUint16(2, MARKER.SIZ);
  o.setUint16(4, 4 + siz.length);
  o.setUint16(6, header.rsiz);
  out.set(siz, 8);
  let at = 8 + siz.length;
  for (const s of header.kept) { out.set(s, at); at += s.length; }
  for (const p of parts) {
    const sot = new DataView(p.buffer, p.byteOffset, Math.min(p.length, 12));
    if (p.length < 12 || sot.getUint16(0) !== MARKER.SOT || sot.getUint16(4) !== index) {
      throw new BadJp2Error(href, `tile ${index}: expected its tile-part header (SOT) where the index points; the code-stream is corrupt`);
    }
    out.set(p, at);
    o.setUint16(at + 4, 0); // Isot: tile 0 of the one-tile grid
    o.setUint32(at + 6, p.length); // Psot 0 ("to the end") made explicit
    at += p.length;
  }
  o.setUint16(at, MARKER.EOC);
  return out;
}

/** Size of a tile at `reduce` levels below full resolution (annex B.5: ceil of the halved coordinates). */
export function tileSizeAt(b: TileBounds, reduce: number): { width: number; height: number } {
  const f = 2 ** reduce;
  return { width: Math.ceil(b.x1 / f) - Math.ceil(b.x0 / f), height: Math.ceil(b.y1 / f) - Math.ceil(b.y0 / f) };
}
