/**
 * Nearest-neighbour resampling of a raster band onto a window of a target grid in the same CRS: each target
 * pixel centre takes the value of the source pixel containing it. Only the source blocks that hold a sampled
 * pixel are read: the needed block columns and rows are grouped into runs, one window read per run pair.
 *
 * @example
 * const scl = await readOnGrid(sclRaster, red.info.grid, { x: 0, y: 0, width: 1024, height: 1024 });
 * // Float32Array: 20 m classes repeated onto the 10 m grid, NaN where SCL is nodata or absent
 */
import { InputError } from '../../errors.ts';
import type { Raster } from '../read/openRaster.ts';
import type { Grid, TypedArray, Window } from '../types.ts';

export interface ReadOnGridOptions {
  band?: number;
  keepNodata?: boolean;
  /** Nodata when the file declares none (e.g. the STAC item's). */
  nodata?: number;
  scale?: number;
  offset?: number;
}

/** Index of a source pixel per target column or row; -1 outside the source. */
type Lookup = Int32Array;

interface Run {
  start: number;
  end: number;
  first: number;
  last: number;
}

/**
 * Values of `raster`'s band resampled by nearest neighbour onto `window` of the target `grid` (same CRS:
 * otherwise throw InputError naming the file and both CRSs). Pixel centre of the target maps to the source
 * pixel containing it. Outside the source: NaN. nodata (the file's, else opts.nodata) -> NaN unless
 * opts.keepNodata (then the raw value, and outside pixels are NaN). Other values become v * scale + offset
 * (opts, default 1 and 0), rounded once to float32. Always Float32Array. Reads only the source blocks it needs.
 */
export async function readOnGrid(raster: Raster, grid: Grid, window: Window, opts: ReadOnGridOptions = {}): Promise<Float32Array> {
  const { info } = raster;
  const src = info.grid;
  if (!sameCrs(src.crs, grid.crs)) {
    throw new InputError(info.href, `CRS ${src.crs || '(none)'} does not match the target grid's CRS ${grid.crs || '(none)'}`);
  }
  const cols = lookup(window.width, (i) => (grid.originX + (window.x + i + 0.5) * grid.resX - src.originX) / src.resX, src.width);
  const rows = lookup(window.height, (j) => (src.originY - (grid.originY - (window.y + j + 0.5) * grid.resY)) / src.resY, src.height);
  const out = new Float32Array(window.width * window.height).fill(Number.NaN);
  const colRuns = runsOf(cols, info.blockWidth);
  const rowRuns = runsOf(rows, info.blockHeight);
  const nodata = opts.keepNodata ? undefined : info.nodata ?? opts.nodata;
  const scale = opts.scale ?? 1, offset = opts.offset ?? 0;
  await Promise.all(rowRuns.flatMap((rr) => colRuns.map(async (cr) => {
    const part = { x: cr.start, y: rr.start, width: cr.end - cr.start, height: rr.end - rr.start };
    const values = await raster.readWindow(part, opts.band ?? 0);
    if (scale === 1 && offset === 0) sample(out, window.width, values, part, cr, rr, cols, rows, nodata);
    else sampleScaled(out, window.width, values, part, cr, rr, cols, rows, nodata, scale, offset);
  })));
  return out;
}

function sameCrs(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

function lookup(n: number, position: (i: number) => number, size: number): Lookup {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(position(i));
    idx[i] = p >= 0 && p < size ? p : -1;
  }
  return idx;
}

/**
 * Source pixel ranges [start, end) grouped by runs of consecutive blocks that hold a sampled pixel, with the
 * target indices [first, last) they serve. Target centres map to source pixels in increasing order (both
 * grids are north-up), so each run serves one contiguous stretch of the target.
 */
function runsOf(idx: Lookup, blockSize: number): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < idx.length; i++) {
    const p = idx[i];
    if (p < 0) continue;
    const last = runs[runs.length - 1];
    if (last && Math.floor((last.end - 1) / blockSize) >= Math.floor(p / blockSize) - 1) {
      last.end = p + 1;
      last.last = i + 1;
    } else {
      runs.push({ start: p, end: p + 1, first: i, last: i + 1 });
    }
  }
  return runs;
}

function sample(
  out: Float32Array, outWidth: number, values: TypedArray, part: Window, cr: Run, rr: Run,
  cols: Lookup, rows: Lookup, nodata: number | undefined,
): void {
  const checkNodata = nodata !== undefined && !Number.isNaN(nodata);
  if (isContiguous(cols, cr) && EXACT_IN_FLOAT32.some((T) => values instanceof T)) {
    sameColumns(out, outWidth, values, part, cr, rr, cols, rows, checkNodata ? nodata : undefined);
    return;
  }
  for (let j = rr.first; j < rr.last; j++) {
    const srcRow = (rows[j] - part.y) * part.width - part.x;
    const outRow = j * outWidth;
    for (let i = cr.first; i < cr.last; i++) {
      const v = values[srcRow + cols[i]];
      out[outRow + i] = checkNodata && v === nodata ? Number.NaN : v;
    }
  }
}

/** Sample types whose every value is a float32 as well: for them, converting first and then comparing to nodata is the same. */
const EXACT_IN_FLOAT32 = [Uint8Array, Int8Array, Uint16Array, Int16Array, Float32Array];

/** Target columns [first, last) take consecutive source columns: the target is on the source's own grid there. */
function isContiguous(cols: Lookup, cr: Run): boolean {
  const c0 = cols[cr.first] - cr.first;
  for (let i = cr.first + 1; i < cr.last; i++) if (cols[i] !== c0 + i) return false;
  return true;
}

/**
 * `sample` where the columns are the source's own (a band on the output grid, the usual case): each row is
 * one typed-array copy, then nodata becomes NaN; the same values, without a lookup per pixel.
 */
function sameColumns(
  out: Float32Array, outWidth: number, values: TypedArray, part: Window, cr: Run, rr: Run,
  cols: Lookup, rows: Lookup, nodata: number | undefined,
): void {
  const n = cr.last - cr.first;
  for (let j = rr.first; j < rr.last; j++) {
    const from = (rows[j] - part.y) * part.width + cols[cr.first] - part.x;
    const to = j * outWidth + cr.first;
    out.set(values.subarray(from, from + n), to);
    if (nodata === undefined) continue;
    for (let i = to; i < to + n; i++) if (out[i] === nodata) out[i] = Number.NaN;
  }
}

/** `sample` with v * scale + offset: a loop of its own, so that digital numbers keep the plain copy loop. */
function sampleScaled(
  out: Float32Array, outWidth: number, values: TypedArray, part: Window, cr: Run, rr: Run,
  cols: Lookup, rows: Lookup, nodata: number | undefined, scale: number, offset: number,
): void {
  const checkNodata = nodata !== undefined && !Number.isNaN(nodata);
  for (let j = rr.first; j < rr.last; j++) {
    const srcRow = (rows[j] - part.y) * part.width - part.x;
    const outRow = j * outWidth;
    for (let i = cr.first; i < cr.last; i++) {
      const v = values[srcRow + cols[i]];
      out[outRow + i] = checkNodata && v === nodata ? Number.NaN : v * scale + offset;
    }
  }
}
