import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../../functions/core/raster/preview/encodePng.ts';
import { gdalinfoJson, hasGdal } from '../../helpers/gdal.ts';
import { decodePng } from './decodePng.ts';

function testImage(width: number, height: number): Uint8Array {
  // Left half a smooth gradient (favours Sub/Up/Paeth), right half pseudo-random (favours None).
  const rgba = new Uint8Array(width * height * 4);
  let s = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const noisy = x >= width / 2;
      rgba.set([noisy ? s & 255 : x * 3, noisy ? (s >> 8) & 255 : y * 2, noisy ? (s >> 16) & 255 : 100, y % 5 === 0 ? 0 : 255], i);
    }
  }
  return rgba;
}

describe('encodePng', () => {
  it('encodes RGBA losslessly with valid chunks and per-row filters', () => {
    // Prepare
    const rgba = testImage(37, 23);
    // Act
    const png = encodePng(rgba, 37, 23);
    // Assess
    const got = decodePng(png);
    expect(got.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([got.width, got.height]).toEqual([37, 23]);
    expect(got.filters.every((f) => f >= 0 && f <= 4)).toBe(true);
    expect(new Set(got.filters).size).toBeGreaterThan(1);
    expect(Buffer.from(got.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('is deterministic', () => {
    const rgba = testImage(16, 16);
    expect(Buffer.from(encodePng(rgba, 16, 16)).equals(Buffer.from(encodePng(rgba, 16, 16)))).toBe(true);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(15), 2, 2)).toThrow(RangeError);
  });

  it.runIf(hasGdal())('is read by GDAL as a 4-band image of the right size', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eofn-png-')), 'x.png');
    writeFileSync(path, encodePng(testImage(37, 23), 37, 23));
    const info = gdalinfoJson(path);
    expect(info.driverShortName).toBe('PNG');
    expect(info.size).toEqual([37, 23]);
    expect(info.bands.map((b) => b.colorInterpretation)).toEqual(['Red', 'Green', 'Blue', 'Alpha']);
  });
});
