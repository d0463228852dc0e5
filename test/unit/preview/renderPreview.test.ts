import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { renderPreview } from '../../../functions/core/raster/preview/preview.ts';
import { rampLut } from '../../../functions/core/raster/preview/previewRamps.ts';
import { decodePng, pixel } from './decodePng.ts';

/** 1000x500 band rising from -0.2 (left) to 0.8 (right), with a NaN square in the top-left corner. */
function gradient(): Float32Array {
  const w = 1000, h = 500;
  const band = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) band[y * w + x] = x < 100 && y < 100 ? NaN : -0.2 + x / (w - 1);
  return band;
}

const rgbOf = (lut: Uint8Array, k: number) => Array.from(lut.subarray(k * 3, k * 3 + 3));

describe('renderPreview, one band', () => {
  it('fits the longest side into maxSize and stretches 2–98 % through the ndvi ramp', () => {
    // Act
    const png = decodePng(renderPreview([gradient()], 1000, 500, { maxSize: 200 }));
    // Assess
    expect([png.width, png.height]).toEqual([200, 100]);
    const lut = rampLut('ndvi');
    expect(pixel(png, 0, 99)).toEqual([...rgbOf(lut, 0), 255]); // below the 2nd percentile: ramp start
    expect(pixel(png, 199, 50)).toEqual([...rgbOf(lut, 255), 255]); // above the 98th: ramp end
    expect(rgbOf(lut, 0)).toEqual([0xa5, 0x00, 0x26]); // red
    expect(rgbOf(lut, 255)).toEqual([0x00, 0x68, 0x37]); // green
    expect(pixel(png, 5, 5)).toEqual([0, 0, 0, 0]); // NaN is transparent
  });

  it('uses a fixed range when given, on the gray ramp', () => {
    const band = Float32Array.from([0, 0.5, 1, 2, -9999, 0.25]);
    const png = decodePng(renderPreview([band], 3, 2, { ramp: 'gray', range: [0, 1], nodata: -9999 }));
    expect([pixel(png, 0, 0), pixel(png, 1, 0), pixel(png, 2, 0), pixel(png, 0, 1), pixel(png, 1, 1)]).toEqual([
      [0, 0, 0, 255], [128, 128, 128, 255], [255, 255, 255, 255], [255, 255, 255, 255], [0, 0, 0, 0],
    ]);
    expect(pixel(png, 2, 1)).toEqual([64, 64, 64, 255]);
  });

  it('keeps the size of a small image and is deterministic', () => {
    const band = Uint16Array.from({ length: 60 * 40 }, (_, i) => i);
    const a = renderPreview([band], 60, 40, { ramp: 'viridis' });
    expect(decodePng(a).width).toBe(60);
    expect(Buffer.from(a).equals(Buffer.from(renderPreview([band], 60, 40, { ramp: 'viridis' })))).toBe(true);
  });
});

describe('renderPreview, three bands', () => {
  it('stretches each band to 0–255 and hides pixels missing in any band', () => {
    const r = Float32Array.from([0, 10, 20, 30]);
    const g = Float32Array.from([100, 100, NaN, 300]);
    const b = Uint8Array.from([5, 6, 7, 8]);
    const png = decodePng(renderPreview([r, g, b], 2, 2, { range: [0, 300] }));
    expect(pixel(png, 0, 0)).toEqual([0, 85, 4, 255]);
    expect(pixel(png, 0, 1)).toEqual([0, 0, 0, 0]);
    expect(pixel(png, 1, 1)).toEqual([26, 255, 7, 255]);
  });

  it('rejects two bands', () => {
    expect(() => renderPreview([new Float32Array(4), new Float32Array(4)], 2, 2)).toThrow(InputError);
  });
});
