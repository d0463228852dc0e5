/**
 * Where each target pixel centre falls in a source raster, in source pixel coordinates (0,0 = the source's
 * top-left corner; pixel (c, r) covers [c, c+1) x [r, r+1)). Like GDAL's approximate transformer, only a
 * coarse lattice of control points is projected exactly and the rest is interpolated bilinearly inside each
 * lattice cell; the lattice is refined until interpolation errs by at most `maxError` source pixels at the
 * cell centres, where a smooth projection errs most.
 *
 * @example
 * const { x, y } = sourcePixelCoordinates(srcGrid, dstGrid, { x: 0, y: 0, width: 512, height: 512 });
 * // x[j * 512 + i], y[j * 512 + i]: source column/row (fractional) of target pixel (i, j)'s centre
 */
import { transformer } from '../geo/crs.ts';
import type { Grid, Window } from './types.ts';

export interface CoordinateOptions {
  /** Lattice spacing in target pixels to start from; default 16. */
  step?: number;
  /** Largest interpolation error accepted, in source pixels; default 0.125 (GDAL's default). */
  maxError?: number;
}

export interface SourceCoordinates {
  /** Source column of each target pixel centre, row-major over the window; NaN where projection failed. */
  x: Float64Array;
  y: Float64Array;
  /** Lattice spacing used (1 = every pixel projected exactly). */
  step: number;
}

export function sourcePixelCoordinates(src: Grid, dst: Grid, window: Window, opts: CoordinateOptions = {}): SourceCoordinates {
  const project = pixelProjector(src, dst, window);
  const maxError = opts.maxError ?? 0.125;
  let step = Math.max(1, Math.floor(opts.step ?? 16));
  for (;;) {
    const lattice = projectLattice(project, window.width, window.height, step);
    if (step === 1 || latticeError(project, lattice) <= maxError) {
      return { ...interpolate(lattice, window.width, window.height), step };
    }
    step = Math.max(1, step >> 1);
  }
}

type Projector = (i: number, j: number) => [number, number];

/** Target pixel (i, j) of the window (fractional; i + 0.5 is a centre) -> source pixel coordinates. */
function pixelProjector(src: Grid, dst: Grid, window: Window): Projector {
  const toSource = transformer(dst.crs, src.crs);
  return (i, j) => {
    const [sx, sy] = toSource([dst.originX + (window.x + i) * dst.resX, dst.originY - (window.y + j) * dst.resY]);
    const px = (sx - src.originX) / src.resX, py = (src.originY - sy) / src.resY;
    return Number.isFinite(px) && Number.isFinite(py) ? [px, py] : [NaN, NaN];
  };
}

interface Lattice {
  /** Lattice node positions along each axis, in window pixel indices (centres), last one = size-1. */
  cols: number[];
  rows: number[];
  x: Float64Array;
  y: Float64Array;
}

function nodes(size: number, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < size - 1; k += step) out.push(k);
  out.push(size - 1);
  return out;
}

function projectLattice(project: Projector, width: number, height: number, step: number): Lattice {
  const cols = nodes(width, step), rows = nodes(height, step);
  const x = new Float64Array(cols.length * rows.length), y = new Float64Array(cols.length * rows.length);
  rows.forEach((r, b) => cols.forEach((c, a) => {
    const [px, py] = project(c + 0.5, r + 0.5);
    x[b * cols.length + a] = px;
    y[b * cols.length + a] = py;
  }));
  return { cols, rows, x, y };
}

/** Largest distance, in source pixels, between the exact and the interpolated position at cell centres. */
function latticeError(project: Projector, l: Lattice): number {
  let worst = 0;
  const nc = l.cols.length;
  for (let b = 0; b + 1 < l.rows.length; b++) {
    for (let a = 0; a + 1 < nc; a++) {
      const k = b * nc + a;
      const ix = (l.x[k] + l.x[k + 1] + l.x[k + nc] + l.x[k + nc + 1]) / 4;
      const iy = (l.y[k] + l.y[k + 1] + l.y[k + nc] + l.y[k + nc + 1]) / 4;
      const [ex, ey] = project((l.cols[a] + l.cols[a + 1]) / 2 + 0.5, (l.rows[b] + l.rows[b + 1]) / 2 + 0.5);
      const err = Math.hypot(ex - ix, ey - iy);
      if (!(err <= worst)) worst = err; // NaN (a failed projection) forces refinement
      if (worst !== worst) return Infinity;
    }
  }
  return worst;
}

function interpolate(l: Lattice, width: number, height: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(width * height), y = new Float64Array(width * height);
  const nc = l.cols.length;
  for (let b = 0; b < l.rows.length; b++) {
    const r0 = l.rows[b], r1 = l.rows[Math.min(b + 1, l.rows.length - 1)];
    const rEnd = b + 1 < l.rows.length ? r1 : r0 + 1;
    for (let a = 0; a < nc; a++) {
      const c0 = l.cols[a], c1 = l.cols[Math.min(a + 1, nc - 1)];
      const cEnd = a + 1 < nc ? c1 : c0 + 1;
      const k00 = b * nc + a, k01 = b * nc + Math.min(a + 1, nc - 1);
      const k10 = Math.min(b + 1, l.rows.length - 1) * nc + a, k11 = Math.min(b + 1, l.rows.length - 1) * nc + Math.min(a + 1, nc - 1);
      for (let r = r0; r < rEnd; r++) {
        const v = r1 > r0 ? (r - r0) / (r1 - r0) : 0;
        for (let c = c0; c < cEnd; c++) {
          const u = c1 > c0 ? (c - c0) / (c1 - c0) : 0;
          const o = r * width + c;
          x[o] = (1 - v) * ((1 - u) * l.x[k00] + u * l.x[k01]) + v * ((1 - u) * l.x[k10] + u * l.x[k11]);
          y[o] = (1 - v) * ((1 - u) * l.y[k00] + u * l.y[k01]) + v * ((1 - u) * l.y[k10] + u * l.y[k11]);
        }
      }
    }
  }
  return { x, y };
}
