/**
 * GDAL's rasterisation rules on hand-made shapes (the golden tests compare with GDAL itself on real parcels).
 */
import { describe, expect, it } from 'vitest';
import { rasterizeRings, RingRasterizer, RunList } from '../../../functions/core/vector/rasterizeRings.ts';

const ring = (...xy: number[]) => Float64Array.from(xy);
/** Pixels of runs as "col,row" strings, sorted. */
function pixels(runs: Int32Array): string[] {
  const out: string[] = [];
  for (let k = 0; k < runs.length; k += 3) for (let c = runs[k + 1]; c < runs[k + 2]; c++) out.push(`${c},${runs[k]}`);
  return out.sort();
}

describe('rasterizeRings', () => {
  it('centroid: pixels whose centre is inside a rectangle', () => {
    // Prepare: x 0.2..2.8 covers centres 0.5, 1.5, 2.5; y 0.2..1.8 covers 0.5, 1.5
    const runs = rasterizeRings([ring(0.2, 0.2, 2.8, 0.2, 2.8, 1.8, 0.2, 1.8, 0.2, 0.2)], 10, 10, 'centroid');
    // Assess
    expect(Array.from(runs)).toEqual([0, 0, 3, 1, 0, 3]);
  });

  it('centroid: a polygon smaller than a pixel and missing every centre has no pixel; all-touched has one', () => {
    const tiny = [ring(3.1, 3.1, 3.4, 3.1, 3.4, 3.4, 3.1, 3.4, 3.1, 3.1)];
    expect(pixels(rasterizeRings(tiny, 10, 10, 'centroid'))).toEqual([]);
    expect(pixels(rasterizeRings(tiny, 10, 10, 'all-touched'))).toEqual(['3,3']);
  });

  it('centroid: a centre on a left edge is out, on a right edge in (GDAL rounds crossings to pixel edges)', () => {
    // x from 1.5 (centre of pixel 1) to 3.5 (centre of pixel 3), y 0..1
    const runs = rasterizeRings([ring(1.5, 0, 3.5, 0, 3.5, 1, 1.5, 1, 1.5, 0)], 10, 10, 'centroid');
    expect(pixels(runs)).toEqual(['2,0', '3,0']);
  });

  it('respects holes and MultiPolygon parts (even-odd over all rings)', () => {
    const outer = ring(0, 0, 5, 0, 5, 5, 0, 5, 0, 0);
    const hole = ring(1, 1, 4, 1, 4, 4, 1, 4, 1, 1);
    const other = ring(7, 7, 9, 7, 9, 9, 7, 9, 7, 7);
    const px = pixels(rasterizeRings([outer, hole, other], 10, 10, 'centroid'));
    expect(px).toHaveLength(25 - 9 + 4);
    expect(px).not.toContain('2,2');
    expect(px).toContain('8,8');
  });

  it('all-touched adds every pixel a boundary passes through, and skips edges lying on pixel lines', () => {
    // A triangle whose hypotenuse x + y = 4.5 cuts through pixels whose centres are outside.
    const tri = [ring(0, 0, 4.5, 0, 0, 4.5, 0, 0)];
    const centre = pixels(rasterizeRings(tri, 10, 10, 'centroid'));
    const touched = pixels(rasterizeRings(tri, 10, 10, 'all-touched'));
    const under = (max: number) => Array.from({ length: 25 }, (_, i) => [i % 5, Math.floor(i / 5)])
      .filter(([c, r]) => c + r <= max).map(([c, r]) => `${c},${r}`).sort();
    expect(centre).toEqual(under(3)); // centre (c + .5) + (r + .5) < 4.5
    expect(touched).toEqual(under(4)); // the pixel square meets x + y < 4.5
    // The square's edges lie on pixel lines: no pixel outside it is "touched".
    expect(pixels(rasterizeRings([ring(2, 2, 4, 2, 4, 4, 2, 4, 2, 2)], 10, 10, 'all-touched'))).toEqual(['2,2', '2,3', '3,2', '3,3']);
  });

  it('clips to the raster and gives nothing for a polygon outside it', () => {
    const half = [ring(-2.2, -2.2, 1.8, -2.2, 1.8, 1.8, -2.2, 1.8, -2.2, -2.2)];
    expect(pixels(rasterizeRings(half, 10, 10, 'centroid'))).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(rasterizeRings([ring(20, 20, 22, 20, 22, 22, 20, 20)], 10, 10, 'all-touched')).toHaveLength(0);
  });

  it('centroid: random rings (crossing, overlapping, clipped) give the centres inside by the even-odd rule, on any reused rasteriser', () => {
    // Prepare: the scan-line rule as a brute-force test per pixel centre (crossing x < centre, half-open in y)
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const inside = (rings: Float64Array[], x: number, y: number) => {
      let odd = false;
      for (const r of rings) {
        for (let i = 0; i + 2 < r.length; i += 2) {
          const [x1, y1, x2, y2] = r[i + 1] < r[i + 3] ? [r[i], r[i + 1], r[i + 2], r[i + 3]] : [r[i + 2], r[i + 3], r[i], r[i + 1]];
          if (y >= y1 && y < y2 && x1 + ((y - y1) * (x2 - x1)) / (y2 - y1) < x) odd = !odd;
        }
      }
      return odd;
    };
    const rasterizer = new RingRasterizer();
    for (let t = 0; t < 40; t++) {
      const rings = Array.from({ length: 1 + (t % 3) }, () => {
        const n = 3 + Math.floor(rand() * 5);
        const r = new Float64Array(2 * n + 2);
        for (let i = 0; i < 2 * n; i += 2) { r[i] = rand() * 26 - 3; r[i + 1] = rand() * 21 - 3; }
        r[2 * n] = r[0]; r[2 * n + 1] = r[1];
        return r;
      });
      const want: string[] = [];
      for (let row = 0; row < 15; row++) for (let c = 0; c < 20; c++) if (inside(rings, c + 0.5, row + 0.5)) want.push(`${c},${row}`);
      // Act
      const list = new RunList();
      const n = rasterizer.rasterize(rings, 20, 15, 'centroid', list);
      // Assess
      expect(pixels(list.data.slice(0, list.length))).toEqual(want.sort());
      expect(n).toBe(want.length);
    }
  });
});
