/** Factories and independent readers shared by the COG writer tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer, type GeoTIFF } from 'geotiff';
import type { Grid, TypedArray } from '../../../functions/core/raster/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'eofn-cog-'));

/** A fresh path in this run's temporary folder. */
export function tmpTif(name: string): string {
  return join(dir, `${name}-${Math.random().toString(36).slice(2)}.tif`);
}

export function gridOf(width: number, height: number, crs = 'EPSG:32633'): Grid {
  return { crs, width, height, originX: 600000, originY: 5100000, resX: 10, resY: 10 };
}

/** Deterministic PRNG (mulberry32) so fixtures are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** NDVI-like field: smooth structure plus noise, in [-0.2, 0.9]. */
export function ndviLike(width: number, height: number, seed = 1): Float32Array {
  const rnd = seeded(seed);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const smooth = 0.35 + 0.3 * Math.sin(x / 37) * Math.cos(y / 23) + 0.15 * Math.sin((x + y) / 111);
      out[y * width + x] = Math.min(0.9, Math.max(-0.2, smooth + (rnd() - 0.5) * 0.1));
    }
  }
  return out;
}

export async function openTif(path: string): Promise<GeoTIFF> {
  const b = readFileSync(path);
  return fromArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
}

/** Offsets of every directory in the IFD chain, read straight from the bytes. */
export function ifdChain(bytes: Buffer): number[] {
  const big = bytes.readUInt16LE(2) === 43;
  const offsets: number[] = [];
  let at = big ? Number(bytes.readBigUInt64LE(8)) : bytes.readUInt32LE(4);
  while (at !== 0) {
    offsets.push(at);
    const n = big ? Number(bytes.readBigUInt64LE(at)) : bytes.readUInt16LE(at);
    const next = big ? at + 8 + n * 20 : at + 2 + n * 12;
    at = big ? Number(bytes.readBigUInt64LE(next)) : bytes.readUInt32LE(next);
  }
  return offsets;
}

/** Reference 2×2 mean ignoring NaN/nodata, written plainly as the oracle for the writer's overviews. */
export function referenceHalve(src: ArrayLike<number>, w: number, h: number, nodata: number | undefined, round: boolean): number[] {
  const ow = Math.ceil(w / 2), oh = Math.ceil(h / 2);
  const out: number[] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const vals: number[] = [];
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const sx = 2 * x + dx, sy = 2 * y + dy;
        if (sx >= w || sy >= h) continue;
        const v = src[sy * w + sx];
        if (!Number.isNaN(v) && v !== nodata) vals.push(v);
      }
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      out.push(vals.length === 0 ? (nodata ?? NaN) : round ? Math.round(mean) : mean);
    }
  }
  return out;
}

/** Bitwise equality for typed arrays (NaN payloads included). */
export function sameBytes(a: TypedArray | ArrayLike<number>, b: TypedArray): boolean {
  const ab = a as TypedArray;
  const x = new Uint8Array(ab.buffer, ab.byteOffset, ab.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return Buffer.compare(x, y) === 0;
}
