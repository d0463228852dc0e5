/**
 * Partitions of a parcel-aggregate job. Each parcel belongs to one cell (see `parcelsOnGrid`); the cell grid is
 * cut into nx × ny near-equal blocks (1 × 1, 1 × 2, 2 × 2, 2 × 3, …) and a partition owns the cells of one block
 * and reads the union of its parcels' reaches, so a parcel crossing a cell or window edge is read whole by the
 * one partition that owns it: nothing is split or counted twice. The planner takes the fewest blocks whose
 * every partition fits the budget (and that gives at least `minPartitions` partitions, balanced for workers).
 *
 * Memory model of a partition (explicit, tested):
 *   BASELINE + window pixels × bytesPerPixel + all parcels loaded + own parcels × bytesPerOwnParcel
 * - bytesPerPixel: each input asset and the mask 14 (float32 result, native window and decoded tiles in flight:
 *   measured with `npm run bench`), plus one layer (4) when a band is an expression; an input read in its
 *   file type (on the job's grid, no expression) 2 × sample bytes + 2 instead (6 for uint16: measured 2.2–3
 *   bytes per pixel and input on the 10980 × 10980 bench);
 * - a partition fits by `fitsBudget` (plan/memoryModel.ts), as for the raster ops;
 * - parcels loaded: what a partition reads of the parcel file. From an indexed file (FlatGeobuf with its
 *   R-tree, GeoParquet with bbox statistics; `prepare` converts the others) only the parcels around its
 *   window: its own parcels × READ_FACTOR (neighbours crossing the window's edge), each costing its share of
 *   the file × 6 while parsing, 48 bytes per vertex and 400 per parcel. The file's size does not enter: a
 *   national file costs a partition what its own parcels cost. From a file read whole: the whole file
 *   (file bytes × 6 + 48 per vertex + 400 per parcel: measured 132 MB at peak for 50,176 GeoJSON parcels);
 * - bytesPerOwnParcel: its results (items × bands × (8 + 8 × stats)) and id (256);
 * - pixel runs: RUN_ROW_BYTES per row of each own parcel's reach (a 12-byte run per row, in a list that
 *   grows by doubling);
 * - its file of the dataset: one row group of its rows at a time, TABLE_ROW_BYTES + 16 per statistic each.
 *
 * @example
 * const { partitions } = planParcelPartitions(setup, { budgetBytes: 512 * 2 ** 20 });
 */
import { BASELINE_BYTES, fitsBudget } from '../../plan/memoryModel.ts';
import type { OpPlan, PartitionSpec, PlanOptions } from '../../plan/types.ts';
import type { Window } from '../../raster/types.ts';
import { ROW_GROUP } from './parcelTableFormat.ts';

export interface CellSummary {
  cell: number;
  parcels: number;
  /** Union of the reaches of its parcels: x0, y0, x1, y1 (end exclusive); null when none reaches the grid. */
  reach: [number, number, number, number] | null;
  /** Sum over its parcels of their reach's height in rows (what their pixel runs take). */
  rows: number;
  /** Vertices of its parcels. */
  vertices: number;
}

export interface PlanInputs {
  cells: CellSummary[];
  cellsX: number;
  cellsY: number;
  /** count: features in the file; vertices: of the parcels prepare read; indexed: read by bounding box. */
  parcels: { count: number; vertices: number; fileBytes: number; indexed: boolean };
  inputs: number;
  /** Bytes per sample of each input read in its file type (the others go through a float32 copy). */
  nativeSampleBytes: number[];
  mask: boolean;
  /** Whether any band is an expression (it needs a layer of its own). */
  expressions: boolean;
  items: number;
  bands: number;
  stats: number;
}

export interface ParcelPartitionData {
  /** Block size in cells and the block's position: the partition owns cells with floor(cx/kx) = gx, floor(cy/ky) = gy. */
  kx: number;
  ky: number;
  gx: number;
  gy: number;
}

/** Per input pixel: float32 result (4), the native window and decoded tiles in flight, GC lag (measured: about 13 for uint16 COGs). */
export const BYTES_PER_INPUT_PIXEL = 14;

export function bytesPerPixel(p: PlanInputs): number {
  const native = p.nativeSampleBytes.reduce((sum, b) => sum + 2 * b + 2, 0);
  return native + (p.inputs - p.nativeSampleBytes.length + (p.mask ? 1 : 0)) * BYTES_PER_INPUT_PIXEL + (p.expressions ? 4 : 0);
}

/** Per row of an own parcel's reach: one 12-byte run, twice for the run list's doubling. */
export const RUN_ROW_BYTES = 24;

export function bytesPerOwnParcel(p: PlanInputs): number {
  return p.items * p.bands * (8 + 8 * p.stats) + 256;
}

/** Per row held for the partition's file: the column arrays and their Parquet encoding (as the merge once charged). */
export const TABLE_ROW_BYTES = 200;

export function tableWriteBytes(p: PlanInputs, records: number): number {
  return Math.min(records, ROW_GROUP) * (TABLE_ROW_BYTES + 16 * p.stats);
}

/** Parcels read around a partition's window per own parcel (measured: see docs/scale.md). */
export const READ_FACTOR = 1.25;

/** What a partition holds of the parcel file while it runs: its own cells' parcels, or the whole file. */
export function loadedParcelBytes(p: PlanInputs, own?: { parcels: number; vertices: number }): number {
  const perParcelFile = p.parcels.fileBytes / Math.max(1, p.parcels.count);
  if (!p.parcels.indexed || !own) return p.parcels.fileBytes * 6 + p.parcels.vertices * 48 + p.parcels.count * 400;
  return Math.round(READ_FACTOR * (own.parcels * (perParcelFile * 6 + 400) + own.vertices * 48));
}

export function planParcelPartitions(p: PlanInputs, options: PlanOptions): Omit<OpPlan, 'mergePeakBytes'> {
  const minPartitions = options.minPartitions ?? 1;
  let kx = p.cellsX, ky = p.cellsY;
  let partitions = groupCells(p, kx, ky);
  for (let m = 2; kx > 1 || ky > 1; m++) {
    const fits = partitions.every((q) => fitsBudget(q.estimatedPeakBytes, options.budgetBytes));
    if (fits && partitions.length >= minPartitions) break;
    const nx = Math.floor(m / 2), ny = Math.ceil(m / 2);
    const next = [Math.ceil(p.cellsX / Math.max(1, nx)), Math.ceil(p.cellsY / ny)];
    if (next[0] === kx && next[1] === ky) continue;
    [kx, ky] = next;
    partitions = groupCells(p, kx, ky);
  }
  return {
    partitions,
    model: {
      parcels: p.parcels.count, vertices: p.parcels.vertices, cells: p.cells.length, blockCells: `${kx}x${ky}`,
      bytesPerPixel: bytesPerPixel(p), bytesPerOwnParcel: bytesPerOwnParcel(p), parcelsIndexed: String(p.parcels.indexed),
      loadedParcelBytes: p.parcels.indexed ? `${READ_FACTOR} x own parcels` : loadedParcelBytes(p),
      items: p.items, bands: p.bands, stats: p.stats,
    },
  };
}

function groupCells(p: PlanInputs, kx: number, ky: number): PartitionSpec[] {
  const groups = new Map<number, { gx: number; gy: number; parcels: number; rows: number; vertices: number; reach: [number, number, number, number] | null }>();
  const groupsX = Math.ceil(p.cellsX / kx);
  for (const c of p.cells) {
    const gx = Math.floor((c.cell % p.cellsX) / kx), gy = Math.floor(Math.floor(c.cell / p.cellsX) / ky);
    const key = gy * groupsX + gx;
    const g = groups.get(key) ?? { gx, gy, parcels: 0, rows: 0, vertices: 0, reach: null };
    g.parcels += c.parcels;
    g.vertices += c.vertices ?? 0;
    g.rows += c.rows;
    if (c.reach) {
      g.reach = g.reach
        ? [Math.min(g.reach[0], c.reach[0]), Math.min(g.reach[1], c.reach[1]), Math.max(g.reach[2], c.reach[2]), Math.max(g.reach[3], c.reach[3])]
        : [...c.reach];
    }
    groups.set(key, g);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => {
    const window: Window | undefined = g.reach
      ? { x: g.reach[0], y: g.reach[1], width: g.reach[2] - g.reach[0], height: g.reach[3] - g.reach[1] }
      : undefined;
    const pixels = window ? window.width * window.height : 0;
    const data: ParcelPartitionData = { kx, ky, gx: g.gx, gy: g.gy };
    const records = g.parcels * p.items * p.bands;
    return {
      id: `parcels-${kx}x${ky}-${g.gx}-${g.gy}`,
      ...(window ? { window } : {}),
      estimatedPeakBytes: BASELINE_BYTES + pixels * bytesPerPixel(p) + loadedParcelBytes(p, g) + g.parcels * bytesPerOwnParcel(p) + g.rows * RUN_ROW_BYTES + tableWriteBytes(p, records),
      data,
      work: { inputPixels: pixels * p.items * (p.inputs + (p.mask ? 1 : 0)), parcels: g.parcels, records },
    };
  });
}

/** True when `cell` belongs to the partition described by `data`. */
export function ownsCell(data: ParcelPartitionData, cell: number, cellsX: number): boolean {
  return Math.floor((cell % cellsX) / data.kx) === data.gx && Math.floor(Math.floor(cell / cellsX) / data.ky) === data.gy;
}
