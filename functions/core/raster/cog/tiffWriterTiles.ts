/**
 * Cuts one tile out of full-size band arrays, ready for DEFLATE: pixel-interleaved, edge tiles padded to the
 * full block with a fill value, and the TIFF predictor applied (2 = horizontal differencing for integers,
 * 3 = floating-point byte planes + differencing, as in Adobe's TIFF Technical Note 3 and libtiff's fpDiff).
 */
import { endianness } from 'node:os';
import type { TypedArray } from '../types.ts';

// Samples are copied as the host lays them out and the file says "II": only little-endian hosts qualify.
if (endianness() !== 'LE') throw new Error('the COG writer needs a little-endian host');

export type Predictor = 1 | 2 | 3;

export interface TileSource {
  bands: readonly TypedArray[];
  width: number;
  height: number;
}

/**
 * The uncompressed bytes of tile (tx, ty): blockSize×blockSize pixels × bands samples.
 *
 * @example
 * const raw = encodeTile({ bands: [red], width: 1100, height: 700 }, 2, 1, 512, 0, 2);
 */
export function encodeTile(
  src: TileSource,
  tx: number,
  ty: number,
  blockSize: number,
  fill: number,
  predictor: Predictor,
): Uint8Array {
  const spp = src.bands.length;
  const first = src.bands[0];
  if (predictor === 3 && first instanceof Float32Array) return predictFloat32Tile(src, tx, ty, blockSize, fill);
  const x0 = tx * blockSize;
  const y0 = ty * blockSize;
  const cw = Math.min(blockSize, src.width - x0);
  const ch = Math.min(blockSize, src.height - y0);
  const rowLen = blockSize * spp;
  const tile = new (first.constructor as new (n: number) => TypedArray)(rowLen * blockSize);
  if ((cw < blockSize || ch < blockSize) && fill !== 0) tile.fill(fill);
  for (let r = 0; r < ch; r++) copyRow(src, (y0 + r) * src.width + x0, cw, tile, r * rowLen);
  const bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
  if (predictor === 2) differenceRows(tile, rowLen, spp);
  else if (predictor === 3) return floatingPointPredict(bytes, rowLen, tile.BYTES_PER_ELEMENT, spp);
  return bytes;
}

/** Pixels [from, from + count) of every band, interleaved into `dst` from `to`. */
function copyRow(src: TileSource, from: number, count: number, dst: TypedArray, to: number): void {
  const spp = src.bands.length;
  if (spp === 1) {
    dst.set(src.bands[0].subarray(from, from + count), to);
    return;
  }
  for (let b = 0; b < spp; b++) {
    const band = src.bands[b];
    for (let c = 0, o = to + b; c < count; c++, o += spp) dst[o] = band[from + c];
  }
}

/**
 * The float32 tile with predictor 3, a row at a time: each row is cut into one reused buffer and its byte
 * planes differenced straight into the output, so the tile is neither copied whole nor walked twice (the
 * predictor is most of the CPU a COG write spends outside DEFLATE). Same bytes as `floatingPointPredict`.
 */
function predictFloat32Tile(src: TileSource, tx: number, ty: number, blockSize: number, fill: number): Uint8Array {
  const spp = src.bands.length;
  const x0 = tx * blockSize;
  const y0 = ty * blockSize;
  const cw = Math.min(blockSize, src.width - x0);
  const ch = Math.min(blockSize, src.height - y0);
  const rowLen = blockSize * spp;
  const row = new Float32Array(rowLen);
  const words = new Uint32Array(row.buffer);
  const out = new Uint8Array(rowLen * 4 * blockSize);
  for (let r = 0; r < blockSize; r++) {
    if (r === ch || (r === 0 && cw < blockSize)) row.fill(fill);
    if (r < ch) copyRow(src, (y0 + r) * src.width + x0, cw, row, 0);
    const start = r * rowLen * 4;
    if (spp === 1) {
      predictFloat32Row(words, rowLen, out, start);
      continue;
    }
    // Plane p holds byte 3-p of each sample; the byte before a plane's first `spp` is the previous plane's last.
    for (let p = 0, shift = 24; p < 4; p++, shift -= 8) {
      const base = start + p * rowLen;
      for (let i = 0; i < spp; i++) {
        const prev = p === 0 ? 0 : words[rowLen - spp + i] >>> (shift + 8);
        out[base + i] = (words[i] >>> shift) - prev;
      }
      for (let i = spp; i < rowLen; i++) out[base + i] = (words[i] >>> shift) - (words[i - spp] >>> shift);
    }
  }
  return out;
}

/** One band's row: the four byte planes in one pass, each byte minus the one before it in the row. */
function predictFloat32Row(words: Uint32Array, n: number, out: Uint8Array, start: number): void {
  const o1 = start + n, o2 = start + 2 * n, o3 = start + 3 * n;
  let u = words[0];
  let b0 = u >>> 24, b1 = (u >>> 16) & 255, b2 = (u >>> 8) & 255, b3 = u & 255;
  // The first byte of each plane follows the previous plane's last.
  const last = words[n - 1];
  out[start] = b0;
  out[o1] = b1 - (last >>> 24);
  out[o2] = b2 - ((last >>> 16) & 255);
  out[o3] = b3 - ((last >>> 8) & 255);
  for (let i = 1; i < n; i++) {
    u = words[i];
    const c0 = u >>> 24, c1 = (u >>> 16) & 255, c2 = (u >>> 8) & 255, c3 = u & 255;
    out[start + i] = c0 - b0;
    out[o1 + i] = c1 - b1;
    out[o2 + i] = c2 - b2;
    out[o3 + i] = c3 - b3;
    b0 = c0; b1 = c1; b2 = c2; b3 = c3;
  }
}

/** Each sample minus the same sample of the previous pixel; typed-array stores wrap as TIFF expects. */
function differenceRows(tile: TypedArray, rowLen: number, stride: number): void {
  for (let start = 0; start < tile.length; start += rowLen) {
    for (let i = start + rowLen - 1; i >= start + stride; i--) tile[i] = tile[i] - tile[i - stride];
  }
}

/**
 * Per row: split samples into byte planes, most significant first, then difference the bytes with a
 * stride of the samples per pixel.
 */
function floatingPointPredict(bytes: Uint8Array, rowLen: number, bps: number, stride: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const rowBytes = rowLen * bps;
  const words = bps === 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : undefined;
  for (let start = 0; start < bytes.length; start += rowBytes) {
    if (words) {
      const w0 = start / 4;
      for (let i = 0; i < rowLen; i++) {
        const u = words[w0 + i];
        out[start + i] = u >>> 24;
        out[start + rowLen + i] = (u >>> 16) & 255;
        out[start + 2 * rowLen + i] = (u >>> 8) & 255;
        out[start + 3 * rowLen + i] = u & 255;
      }
    } else {
      for (let i = 0; i < rowLen; i++) {
        for (let b = 0; b < bps; b++) out[start + (bps - 1 - b) * rowLen + i] = bytes[start + i * bps + b];
      }
    }
    for (let i = start + rowBytes - 1; i >= start + stride; i--) out[i] = out[i] - out[i - stride];
  }
  return out;
}
