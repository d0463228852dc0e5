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
  const runs = new RunList();
  new RingRasterizer().rasterize(rings, width, height, rule, runs);
  return runs.data.slice(0, runs.length);
}

/** A growable list of `[row, colStart, colEnd)` triples (one typed array for many polygons: no per-polygon garbage). */
export class RunList {
  data = new Int32Array(3 * 1024);
  length = 0;

  push(row: number, start: number, end: number): void {
    if (this.length + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = row;
    this.data[this.length++] = start;
    this.data[this.length++] = end;
  }
}

/**
 * `rasterizeRings` with its scratch buffers kept between polygons, appending the runs to a `RunList`: tens of
 * thousands of parcels rasterise without allocating per parcel. Under `centroid` a row's spans are merged
 * into runs directly (no pixel mask, no per-pixel work); `all-touched` marks its boundary pixels in a mask.
 *
 * @example
 * const r = new RingRasterizer(), runs = new RunList();
 * for (const p of parcels) r.rasterize(p.rings, grid.width, grid.height, 'centroid', runs);
 */
export class RingRasterizer {
  private mask = new Uint8Array(4096);
  private ints = new Float64Array(64);
  private spans = new Int32Array(128);

  /** Appends the polygon's runs to `out` (rows ascending); returns its pixel count. */
  rasterize(rings: Float64Array[], width: number, height: number, rule: RasterizeRule, out: RunList): number {
    const ringStart = new Int32Array(rings.length + 1);
    rings.forEach((r, q) => { ringStart[q + 1] = ringStart[q] + r.length / 2; });
    const xy = new Float64Array(2 * ringStart[rings.length]);
    rings.forEach((r, q) => xy.set(r, 2 * ringStart[q]));
    return this.rasterizeFlat(xy, ringStart, 0, rings.length, width, height, rule, out);
  }

  /**
   * `rasterize` of rings `firstRing .. endRing - 1` stored flat: ring q is the closed vertex list
   * xy[2 ringStart[q] .. 2 ringStart[q + 1]) (x, y interleaved), as `parcelsOnGrid` keeps all parcels.
   */
  rasterizeFlat(xy: Float64Array, ringStart: Int32Array, firstRing: number, endRing: number, width: number, height: number, rule: RasterizeRule, out: RunList): number {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const v0 = 2 * ringStart[firstRing], v1 = 2 * ringStart[endRing], total = (v1 - v0) / 2;
    for (let i = v0; i < v1; i += 2) {
      if (xy[i] < x0) x0 = xy[i];
      if (xy[i] > x1) x1 = xy[i];
      if (xy[i + 1] < y0) y0 = xy[i + 1];
      if (xy[i + 1] > y1) y1 = xy[i + 1];
    }
    if (!(x0 <= x1)) return 0;
    // Every pixel either rule can reach lies in [floor(min), floor(max)] on each axis (a centre-filled pixel c
    // has x0 <= c + 0.5 <= x1).
    const bx0 = Math.max(0, Math.floor(x0)), bx1 = Math.min(width, Math.floor(x1) + 1);
    const by0 = Math.max(0, Math.floor(y0)), by1 = Math.min(height, Math.floor(y1) + 1);
    if (bx0 >= bx1 || by0 >= by1) return 0;
    const bw = bx1 - bx0, size = bw * (by1 - by0);
    if (this.ints.length < total) this.ints = new Float64Array(Math.max(total, 2 * this.ints.length));
    if (this.spans.length < 2 * total) this.spans = new Int32Array(Math.max(2 * total, 2 * this.spans.length));
    let mask: Uint8Array | undefined;
    if (rule === 'all-touched') {
      if (this.mask.length < size) this.mask = new Uint8Array(Math.max(size, 2 * this.mask.length));
      mask = this.mask;
      mask.fill(0, 0, size);
    }
    const box: Box = { mask, bw, bx0, bx1, by0, by1, spans: this.spans, spanCount: 0, out, pixels: 0 };
    const rings: Rings = { xy, ringStart, firstRing, endRing };
    if (mask) linesAllTouched(rings, width, height, box);
    filledPolygon(rings, width, height, y0, y1, box, this.ints);
    return mask ? runsOf(box, mask, out) : box.pixels;
  }
}

/** A polygon's rings in flat storage (see `rasterizeFlat`). */
interface Rings {
  xy: Float64Array;
  ringStart: Int32Array;
  firstRing: number;
  endRing: number;
}

/** The pixel rectangle a polygon can reach, the spans of the row being filled, and where they go. */
interface Box {
  /** all-touched: 1 = inside; centroid: none, rows go straight to `out`. */
  mask: Uint8Array | undefined;
  bw: number;
  bx0: number;
  bx1: number;
  by0: number;
  by1: number;
  /** Inclusive [start, end] pairs of the current row, clipped to the box. */
  spans: Int32Array;
  spanCount: number;
  out: RunList;
  pixels: number;
}

function span(b: Box, a: number, e: number): void {
  const s = Math.max(a, b.bx0), t = Math.min(e, b.bx1 - 1);
  if (s > t) return;
  b.spans[2 * b.spanCount] = s;
  b.spans[2 * b.spanCount + 1] = t;
  b.spanCount++;
}

/** Ends row y: the union of its spans goes to the mask, or as runs (sorted, overlapping ones merged) to `out`. */
function endRow(b: Box, y: number): void {
  const n = b.spanCount, sp = b.spans;
  b.spanCount = 0;
  if (n === 0 || y < b.by0 || y >= b.by1) return;
  if (b.mask) {
    const row = (y - b.by0) * b.bw - b.bx0;
    for (let i = 0; i < n; i++) b.mask.fill(1, row + sp[2 * i], row + sp[2 * i + 1] + 1);
    return;
  }
  // Even-odd spans come sorted and disjoint; only horizontal edges on the centre line add others.
  for (let i = 1; i < n; i++) {
    const s = sp[2 * i], t = sp[2 * i + 1];
    let j = i - 1;
    while (j >= 0 && sp[2 * j] > s) {
      sp[2 * j + 2] = sp[2 * j];
      sp[2 * j + 3] = sp[2 * j + 1];
      j--;
    }
    sp[2 * j + 2] = s;
    sp[2 * j + 3] = t;
  }
  let s = sp[0], t = sp[1];
  for (let i = 1; i < n; i++) {
    if (sp[2 * i] <= t + 1) {
      if (sp[2 * i + 1] > t) t = sp[2 * i + 1];
    } else {
      b.out.push(y, s, t + 1);
      b.pixels += t + 1 - s;
      s = sp[2 * i];
      t = sp[2 * i + 1];
    }
  }
  b.out.push(y, s, t + 1);
  b.pixels += t + 1 - s;
}

function point(b: Box, y: number, x: number): void {
  if (y >= b.by0 && y < b.by1 && x >= b.bx0 && x < b.bx1) b.mask![(y - b.by0) * b.bw + x - b.bx0] = 1;
}

function runsOf(b: Box, mask: Uint8Array, out: RunList): number {
  const { bw, bx0, by0 } = b;
  const rows = b.by1 - by0;
  let pixels = 0;
  for (let j = 0; j < rows; j++) {
    let i = j * bw;
    const end = i + bw;
    while (i < end) {
      while (i < end && !mask[i]) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && mask[i]) i++;
      out.push(by0 + j, bx0 + s - j * bw, bx0 + i - j * bw);
      pixels += i - s;
    }
  }
  return pixels;
}

/** GDALdllImageFilledPolygon: spans [xa, xb] inclusive per row, crossings rounded with floor(x + 0.5). */
function filledPolygon(rings: Rings, width: number, height: number, dminy: number, dmaxy: number, box: Box, ints: Float64Array): void {
  let miny = Math.trunc(dminy), maxy = Math.trunc(dmaxy);
  if (miny < 0) miny = 0;
  if (maxy >= height) maxy = height - 1;
  // Rows outside the polygon's box get no span: skip them (the mask covers only the box).
  if (miny < box.by0) miny = box.by0;
  if (maxy >= box.by1) maxy = box.by1 - 1;
  const maxx = width - 1, minx = 0;
  for (let y = miny; y <= maxy; y++) {
    const dy = y + 0.5;
    let n = 0;
    const { xy: r, ringStart } = rings;
    for (let q = rings.firstRing; q < rings.endRing; q++) {
      // i and ind1 index the flat store: vertex k of ring q is r[2 (base + k)], r[2 (base + k) + 1].
      const base = ringStart[q], count = ringStart[q + 1] - base;
      for (let k = 0; k < count; k++) {
        const i = base + k, ind1 = k === 0 ? base + count - 1 : i - 1;
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
            if (!(h1 > maxx || h2 <= minx)) span(box, h1, h2 - 1);
          }
          continue;
        }
        if (dy < dy2 && dy >= dy1) ints[n++] = Math.floor((dy - dy1) * (dx2 - dx1) / (dy2 - dy1) + dx1 + 0.5);
      }
    }
    // Insertion sort: a row of a parcel crosses a handful of edges.
    for (let i = 1; i < n; i++) {
      const v = ints[i];
      let j = i - 1;
      while (j >= 0 && ints[j] > v) {
        ints[j + 1] = ints[j];
        j--;
      }
      ints[j + 1] = v;
    }
    for (let i = 0; i + 1 < n; i += 2) {
      if (ints[i] <= maxx && ints[i + 1] > minx) span(box, ints[i], ints[i + 1] - 1);
    }
    endRow(box, y);
  }
}

/** GDALdllImageLineAllTouched with bIntersectOnly (GDAL's choice for polygon rings). */
function linesAllTouched(rings: Rings, width: number, height: number, box: Box): void {
  const { xy: r, ringStart } = rings;
  for (let q = rings.firstRing; q < rings.endRing; q++) {
    for (let j = 2 * ringStart[q] + 2; j < 2 * ringStart[q + 1]; j += 2) {
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
        for (; iY <= iYEnd; iY++) point(box, iY, iX);
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
        for (; iX <= iXEnd; iX++) point(box, iY, iX);
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
        if (iY >= 0 && iY < height) point(box, iY, iX);
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
