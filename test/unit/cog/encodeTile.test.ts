import { describe, expect, it } from 'vitest';
import { encodeTile } from '../../../functions/core/raster/cog/tiffWriterTiles.ts';

/**
 * Predictor 3 as Adobe's TIFF Technical Note 3 spells it, one step at a time: pad the tile, interleave the
 * samples, split each row into byte planes (most significant first), then difference the row's bytes with a
 * stride of the samples per pixel.
 */
function textbookTile(bands: Float32Array[], width: number, height: number, tx: number, ty: number, block: number, fill: number): Uint8Array {
  const spp = bands.length;
  const samples = new Float32Array(block * block * spp).fill(fill);
  for (let y = 0; y < block; y++) {
    for (let x = 0; x < block; x++) {
      const sx = tx * block + x, sy = ty * block + y;
      if (sx < width && sy < height) for (let b = 0; b < spp; b++) samples[(y * block + x) * spp + b] = bands[b][sy * width + sx];
    }
  }
  const le = new Uint8Array(samples.buffer);
  const rowLen = block * spp;
  const out = new Uint8Array(le.length);
  for (let y = 0; y < block; y++) {
    const row = new Uint8Array(rowLen * 4);
    for (let i = 0; i < rowLen; i++) for (let p = 0; p < 4; p++) row[p * rowLen + i] = le[(y * rowLen + i) * 4 + 3 - p];
    const diffed = row.map((v, i) => (i < spp ? v : (v - row[i - spp]) & 255));
    out.set(diffed, y * rowLen * 4);
  }
  return out;
}

function noisy(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = i % 97 === 0 ? NaN : ((s >>> 8) / 2 ** 24) * 2 - 1;
  }
  return out;
}

describe('encodeTile, float32 with the floating-point predictor', () => {
  // 70x45 with 32-px tiles: a full tile, a right-edge, a bottom-edge and a corner tile.
  const width = 70, height = 45;
  const cases: [string, number, number][] = [['full', 0, 0], ['right edge', 2, 0], ['bottom edge', 1, 1], ['corner', 2, 1]];

  for (const [name, tx, ty] of cases) {
    it(`one band, ${name} tile, NaN fill: the bytes of Technical Note 3`, () => {
      // Prepare
      const band = noisy(width * height, 7);
      // Act
      const got = encodeTile({ bands: [band], width, height }, tx, ty, 32, NaN, 3);
      // Assess
      expect(Buffer.from(got).equals(Buffer.from(textbookTile([band], width, height, tx, ty, 32, NaN)))).toBe(true);
    });

    it(`three bands, ${name} tile, zero fill: the bytes of Technical Note 3`, () => {
      const bands = [noisy(width * height, 1), noisy(width * height, 2), noisy(width * height, 3)];
      const got = encodeTile({ bands, width, height }, tx, ty, 32, 0, 3);
      expect(Buffer.from(got).equals(Buffer.from(textbookTile(bands, width, height, tx, ty, 32, 0)))).toBe(true);
    });
  }
});
