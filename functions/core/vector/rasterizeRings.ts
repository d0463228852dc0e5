/**
 * Which pixels of a raster a parcel covers, exactly as GDAL's rasterizer decides (alg/llrasterize.cpp, the
 * code behind `gdal_rasterize` and `rasterio.features.rasterize`):
 * - `centroid`: a pixel counts when its centre is inside, by GDAL's scan line through pixel centres with the
 *   even-odd rule over all rings (holes and the parts of a MultiPolygon alike); a crossing x rounds to the
 *   nearest pixel edge, so a centre on a left edge is out and one on a right edge is in, as in GDAL.
 * - `all-touched`: those pixels plus every pixel a ring's segment passes through (GDAL's line walk; segments
 *   lying exactly on pixel edges are skipped, as GDAL does for polygons).
 * The result is row runs clipped to the raster: `[row, colStart, colEnd)` triples, rows ascending.
 *
 * @example
 * const runs = rasterizeRings([Float64Array.of(0.2,0.2, 2.8,0.2, 2.8,1.8, 0.2,1.8, 0.2,0.2)], 10, 10, 'centroid');
 * // Int32Array [0, 0, 3, 1, 0, 3]: rows 0 and 1, columns 0..2
 */
export type RasterizeRule = 'centroid' | 'all-touched';

const EPSILON_INTERSECT_ONLY = 1e-4;

export function rasterizeRings(rings: Float64Array[], width: number, height: number, rule: RasterizeRule): Int32Array {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of rings) {
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] < x0) x0 = r[i];
      if (r[i] > x1) x1 = r[i];
      if (r[i + 1] < y0) y0 = r[i + 1];
      if (r[i + 1] > y1) y1 = r[i + 1];
    }
  }
  if (!(x0 <= x1)) return new Int32Array(0);
  // Every pixel either rule can reach lies in [floor(min), floor(max)] on each axis (a centre-filled pixel c
  // has x0 <= c + 0.5 <= x1).
  const bx0 = Math.max(0, Math.floor(x0)), bx1 = Math.min(width, Math.floor(x1) + 1);
  const by0 = Math.max(0, Math.floor(y0)), by1 = Math.min(height, Math.floor(y1) + 1);
  if (bx0 >= bx1 || by0 >= by1) return new Int32Array(0);
  const bw = bx1 - bx0;
  const mask = new Uint8Array(bw * (by1 - by0));
  const span = (y: number, a: number, b: number) => {
    if (y < by0 || y >= by1) return;
    const s = Math.max(a, bx0), e = Math.min(b, bx1 - 1);
    if (s <= e) mask.fill(1, (y - by0) * bw + s - bx0, (y - by0) * bw + e - bx0 + 1);
  };
  const point = (y: number, x: number) => {
    if (y >= by0 && y < by1 && x >= bx0 && x < bx1) mask[(y - by0) * bw + x - bx0] = 1;
  };
  if (rule === 'all-touched') linesAllTouched(rings, width, height, point);
  filledPolygon(rings, width, height, y0, y1, span);
  return runsOf(mask, bw, bx0, by0);
}

function runsOf(mask: Uint8Array, bw: number, bx0: number, by0: number): Int32Array {
  const out: number[] = [];
  const rows = mask.length / bw;
  for (let j = 0; j < rows; j++) {
    let i = j * bw;
    const end = i + bw;
    while (i < end) {
      while (i < end && !mask[i]) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && mask[i]) i++;
      out.push(by0 + j, bx0 + s - j * bw, bx0 + i - j * bw);
    }
  }
  return Int32Array.from(out);
}

/** GDALdllImageFilledPolygon: spans [xa, xb] inclusive per row, crossings rounded with floor(x + 0.5). */
function filledPolygon(rings: Float64Array[], width: number, height: number, dminy: number, dmaxy: number, span: (y: number, a: number, b: number) => void): void {
  let miny = Math.trunc(dminy), maxy = Math.trunc(dmaxy);
  if (miny < 0) miny = 0;
  if (maxy >= height) maxy = height - 1;
  const maxx = width - 1, minx = 0;
  let total = 0;
  for (const r of rings) total += r.length / 2;
  const ints = new Float64Array(total);
  for (let y = miny; y <= maxy; y++) {
    const dy = y + 0.5;
    let n = 0;
    for (const r of rings) {
      const count = r.length / 2;
      for (let i = 0; i < count; i++) {
        const ind1 = i === 0 ? count - 1 : i - 1;
        let dy1 = r[2 * ind1 + 1], dy2 = r[2 * i + 1];
        if ((dy1 < dy && dy2 < dy) || (dy1 > dy && dy2 > dy)) continue;
        let dx1: number, dx2: number;
        if (dy1 < dy2) {
          dx1 = r[2 * ind1]; dx2 = r[2 * i];
        } else if (dy1 > dy2) {
          const t = dy1; dy1 = dy2; dy2 = t;
          dx2 = r[2 * ind1]; dx1 = r[2 * i];
        } else {
          // A horizontal edge on the centre line: GDAL fills the right-to-left ones separately.
          if (r[2 * ind1] > r[2 * i]) {
            const h1 = Math.floor(r[2 * i] + 0.5), h2 = Math.floor(r[2 * ind1] + 0.5);
            if (!(h1 > maxx || h2 <= minx)) span(y, h1, h2 - 1);
          }
          continue;
        }
        if (dy < dy2 && dy >= dy1) ints[n++] = Math.floor((dy - dy1) * (dx2 - dx1) / (dy2 - dy1) + dx1 + 0.5);
      }
    }
    const row = ints.subarray(0, n).sort();
    for (let i = 0; i + 1 < n; i += 2) {
      if (row[i] <= maxx && row[i + 1] > minx) span(y, row[i], row[i + 1] - 1);
    }
  }
}

/** GDALdllImageLineAllTouched with bIntersectOnly (GDAL's choice for polygon rings). */
function linesAllTouched(rings: Float64Array[], width: number, height: number, point: (y: number, x: number) => void): void {
  for (const r of rings) {
    for (let j = 2; j < r.length; j += 2) {
      let dfX = r[j - 2], dfY = r[j - 1], dfXEnd = r[j], dfYEnd = r[j + 1];
      if ((dfY < 0 && dfYEnd < 0) || (dfY > height && dfYEnd > height) || (dfX < 0 && dfXEnd < 0) || (dfX > width && dfXEnd > width)) continue;
      if (dfX > dfXEnd) {
        let t = dfX; dfX = dfXEnd; dfXEnd = t;
        t = dfY; dfY = dfYEnd; dfYEnd = t;
      }
      if (Math.floor(dfX) === Math.floor(dfXEnd) || Math.abs(dfX - dfXEnd) < 0.01) {
        if (Math.abs(dfX - Math.round(dfX)) < EPSILON_INTERSECT_ONLY && Math.abs(dfXEnd - Math.round(dfXEnd)) < EPSILON_INTERSECT_ONLY) continue;
        if (dfYEnd < dfY) { const t = dfY; dfY = dfYEnd; dfYEnd = t; }
        const iX = Math.floor(dfXEnd);
        let iY = Math.floor(dfY);
        let iYEnd = Math.floor(dfYEnd - EPSILON_INTERSECT_ONLY);
        if (iX < 0 || iX >= width) continue;
        if (iY < 0) iY = 0;
        if (iYEnd >= height) iYEnd = height - 1;
        for (; iY <= iYEnd; iY++) point(iY, iX);
        continue;
      }
      if (Math.floor(dfY) === Math.floor(dfYEnd) || Math.abs(dfY - dfYEnd) < 0.01) {
        if (Math.abs(dfY - Math.round(dfY)) < EPSILON_INTERSECT_ONLY && Math.abs(dfYEnd - Math.round(dfYEnd)) < EPSILON_INTERSECT_ONLY) continue;
        let iX = Math.floor(dfX);
        const iY = Math.floor(dfY);
        let iXEnd = Math.floor(dfXEnd - EPSILON_INTERSECT_ONLY);
        if (iY < 0 || iY >= height) continue;
        if (iX < 0) iX = 0;
        if (iXEnd >= width) iXEnd = width - 1;
        for (; iX <= iXEnd; iX++) point(iY, iX);
        continue;
      }
      const slope = (dfYEnd - dfY) / (dfXEnd - dfX);
      if (dfXEnd > width) { dfYEnd -= (dfXEnd - width) * slope; dfXEnd = width; }
      if (dfX < 0) { dfY += (0 - dfX) * slope; dfX = 0; }
      if (dfYEnd > dfY) {
        if (dfY < 0) { dfX += (0 - dfY) / slope; dfY = 0; }
        if (dfYEnd >= height) { dfXEnd += (dfYEnd - height) / slope; if (dfXEnd > width) dfXEnd = width; }
      } else {
        if (dfY >= height) { dfX += (height - dfY) / slope; dfY = height; }
        if (dfYEnd < 0) dfXEnd -= (dfYEnd - 0) / slope;
      }
      while (dfX >= 0 && dfX < dfXEnd) {
        const iX = Math.floor(dfX), iY = Math.floor(dfY);
        if (iY >= 0 && iY < height) point(iY, iX);
        let stepX = Math.floor(dfX + 1) - dfX;
        let stepY = stepX * slope;
        if (Math.floor(dfY + stepY) === iY) {
          dfX += stepX; dfY += stepY;
        } else if (slope < 0) {
          stepY = iY - dfY;
          if (stepY > -0.000000001) stepY = -0.000000001;
          stepX = stepY / slope;
          dfX += stepX; dfY += stepY;
        } else {
          stepY = iY + 1 - dfY;
          if (stepY < 0.000000001) stepY = 0.000000001;
          stepX = stepY / slope;
          dfX += stepX; dfY += stepY;
        }
      }
    }
  }
}
