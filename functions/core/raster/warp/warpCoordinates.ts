/**
 * Where each target pixel centre falls in a source raster, in source pixel coordinates (0,0 = the source's
 * top-left corner; pixel (c, r) covers [c, c+1) x [r, r+1)).
 *
 * Projecting every pixel is slow, so this does what GDAL's approximate transformer does (gdalwarp's default,
 * `-et 0.125`): along each target row, project the two ends and the middle exactly; if the middle is
 * within `maxError` source pixels (|dx| + |dy|) of the straight line between the ends, interpolate linearly
 * between the ends, otherwise split the row in two and repeat; runs of 5 points or fewer are projected
 * exactly. The recursion always starts from the *whole* grid row, whatever the window, so a pixel gets the
 * same position in every partitioning of a job (a window only decides which segments are visited).
 *
 * @example
 * const { x, y } = sourcePixelCoordinates(srcGrid, dstGrid, { x: 0, y: 0, width: 512, height: 512 });
 * // x[j * 512 + i], y[j * 512 + i]: source column/row (fractional) of target pixel (i, j)'s centre
 */
import { transformer } from '../../geo/crs.ts';
import type { Grid, Window } from '../types.ts';

export interface CoordinateOptions {
  /** Largest interpolation error accepted, in source pixels; default 0.125 (GDAL's default); 0 = exact. */
  maxError?: number;
}

export interface SourceCoordinates {
  /** Source column of each target pixel centre, row-major over the window; NaN where projection failed. */
  x: Float64Array;
  y: Float64Array;
}

export function sourcePixelCoordinates(src: Grid, dst: Grid, window: Window, opts: CoordinateOptions = {}): SourceCoordinates {
  const toSource = transformer(dst.crs, src.crs);
  const maxError = opts.maxError ?? 0.125;
  const x = new Float64Array(window.width * window.height);
  const y = new Float64Array(window.width * window.height);
  for (let j = 0; j < window.height; j++) {
    const rowY = dst.originY - (window.y + j + 0.5) * dst.resY;
    const project = (col: number): [number, number] => {
      const [sx, sy] = toSource([dst.originX + (col + 0.5) * dst.resX, rowY]);
      const px = (sx - src.originX) / src.resX, py = (src.originY - sy) / src.resY;
      return Number.isFinite(px) && Number.isFinite(py) ? [px, py] : [NaN, NaN];
    };
    const row: Row = { project, x, y, offset: j * window.width - window.x, from: window.x, to: window.x + window.width, maxError };
    segment(row, 0, dst.width - 1);
  }
  return { x, y };
}

interface Row {
  project: (col: number) => [number, number];
  x: Float64Array;
  y: Float64Array;
  /** Output index of grid column c is offset + c. */
  offset: number;
  /** Window columns [from, to) of the grid. */
  from: number;
  to: number;
  maxError: number;
}

/** Fills the window's share of grid columns [c0, c1] (inclusive) of one row. */
function segment(row: Row, c0: number, c1: number): void {
  if (c1 < row.from || c0 >= row.to) return;
  const n = c1 - c0 + 1;
  if (n <= 5 || row.maxError <= 0) {
    for (let c = Math.max(c0, row.from); c <= Math.min(c1, row.to - 1); c++) put(row, c, row.project(c));
    return;
  }
  const mid = c0 + ((n - 1) >> 1);
  const p0 = row.project(c0), pm = row.project(mid), p1 = row.project(c1);
  const t = (mid - c0) / (c1 - c0);
  const error = Math.abs(p0[0] + (p1[0] - p0[0]) * t - pm[0]) + Math.abs(p0[1] + (p1[1] - p0[1]) * t - pm[1]);
  if (!(error <= row.maxError)) {
    // As GDAL: the first half ends just before the middle, the second starts at it.
    segment(row, c0, mid - 1);
    segment(row, mid, c1);
    return;
  }
  line(row, c0, p0, c1, p1);
}

function line(row: Row, c0: number, p0: [number, number], c1: number, p1: [number, number]): void {
  const from = Math.max(c0, row.from), to = Math.min(c1, row.to - 1);
  for (let c = from; c <= to; c++) {
    const t = (c - c0) / (c1 - c0);
    put(row, c, [p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t]);
  }
}

function put(row: Row, c: number, p: [number, number]): void {
  row.x[row.offset + c] = p[0];
  row.y[row.offset + c] = p[1];
}
