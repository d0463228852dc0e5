import { describe, expect, it } from 'vitest';
import { halveImage, overviewSizes } from '../../../functions/core/raster/cog/overviews.ts';

describe('overviewSizes', () => {
  it.each([
    [1100, 700, 512, [[550, 350], [275, 175]]], // what gdal_translate -of COG makes
    [10980, 10980, 512, [[5490, 5490], [2745, 2745], [1373, 1373], [687, 687], [344, 344]]],
    [512, 512, 512, []],
    [513, 10, 512, [[257, 5]]],
  ])('%ix%i with %i-px blocks', (w, h, block, want) => {
    expect(overviewSizes(w, h, block).map((s) => [s.width, s.height])).toEqual(want);
  });
});

describe('halveImage', () => {
  it('averages valid pixels of each 2x2 block, odd edges included', () => {
    // Prepare: 3x3; block (0,0) = 1,2,4,NaN; block (1,0) = 3,6; block (0,1) = 7,8; block (1,1) = -9 (nodata)
    const src = Float32Array.from([1, 2, 3, 4, NaN, 6, 7, 8, -9]);
    // Act
    const out = halveImage(src, 3, 3, 'average', -9);
    // Assess
    expect(Array.from(out)).toEqual([Math.fround(7 / 3), 4.5, 7.5, -9]);
  });

  it('rounds integer averages and keeps the top-left pixel for nearest', () => {
    const src = Uint8Array.from([1, 2, 9, 9, 2, 2, 9, 8]);
    expect(Array.from(halveImage(src, 4, 2, 'average'))).toEqual([2, 9]); // 1.75 -> 2, 8.75 -> 9
    expect(Array.from(halveImage(src, 4, 2, 'nearest'))).toEqual([1, 9]);
  });

  it('gives NaN for an all-NaN block without nodata', () => {
    expect(Array.from(halveImage(Float32Array.from([NaN, NaN, NaN, NaN]), 2, 2, 'average'))).toEqual([NaN]);
  });
});
