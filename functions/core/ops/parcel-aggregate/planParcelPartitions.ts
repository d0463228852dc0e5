/**
 * Partitions of a parcel-aggregate job. Each parcel belongs to one cell (see `parcelsOnGrid`); a partition is
 * a square group of k × k cells and reads the union of its parcels' reaches, so a parcel crossing a cell or
 * window edge is read whole by the one partition that owns it: nothing is split or counted twice. The planner
 * takes the largest k whose every group fits the budget (and that gives at least `minPartitions` groups).
 *
 * Memory model of a partition (explicit, tested):
 *   BASELINE + window pixels × bytesPerPixel + all parcels loaded + own parcels × bytesPerOwnParcel
 * - bytesPerPixel: each input asset decoded in its dtype and as float32 (8), the mask likewise, one band layer (4);
 * - all parcels loaded: every partition reads the whole parcel file (file bytes × 3 while parsing,
 *   plus 16 bytes per vertex and 200 per parcel kept);
 * - bytesPerOwnParcel: its results (items × bands × (8 + 8 × stats)) plus its pixel runs and id (256).
 *
 * @example
 * const { partitions } = planParcelPartitions(setup, { budgetBytes: 512 * 2 ** 20 });
 */
import { BASELINE_BYTES } from '../../plan/memoryModel.ts';
import type { OpPlan, PartitionSpec, PlanOptions } from '../types.ts';
import type { Window } from '../../raster/types.ts';

export interface CellSummary {
  cell: number;
  parcels: number;
  /** Union of the reaches of its parcels: x0, y0, x1, y1 (end exclusive); null when none reaches the grid. */
  reach: [number, number, number, number] | null;
}

export interface PlanInputs {
  cells: CellSummary[];
  cellsX: number;
  cellsY: number;
  parcels: { count: number; vertices: number; fileBytes: number };
  inputs: number;
  mask: boolean;
  items: number;
  bands: number;
  stats: number;
}

export interface ParcelPartitionData {
  /** Group size in cells and the group's position: the partition owns cells with floor(cx/k) = gx, floor(cy/k) = gy. */
  k: number;
  gx: number;
  gy: number;
}

export function bytesPerPixel(p: PlanInputs): number {
  return p.inputs * 8 + (p.mask ? 8 : 0) + 4;
}

export function bytesPerOwnParcel(p: PlanInputs): number {
  return p.items * p.bands * (8 + 8 * p.stats) + 256;
}

export function loadedParcelBytes(p: PlanInputs): number {
  return p.parcels.fileBytes * 3 + p.parcels.vertices * 16 + p.parcels.count * 200;
}

export function planParcelPartitions(p: PlanInputs, options: PlanOptions): Omit<OpPlan, 'mergePeakBytes'> {
  const minPartitions = options.minPartitions ?? 1;
  let k = 1;
  while (k < Math.max(p.cellsX, p.cellsY)) k *= 2;
  let partitions = groupCells(p, k);
  while (k > 1) {
    const fits = partitions.every((q) => q.estimatedPeakBytes <= options.budgetBytes);
    if (fits && partitions.length >= minPartitions) break;
    k /= 2;
    partitions = groupCells(p, k);
  }
  return {
    partitions,
    model: {
      parcels: p.parcels.count, vertices: p.parcels.vertices, cells: p.cells.length, groupCells: k,
      bytesPerPixel: bytesPerPixel(p), bytesPerOwnParcel: bytesPerOwnParcel(p), loadedParcelBytes: loadedParcelBytes(p),
      items: p.items, bands: p.bands, stats: p.stats,
    },
  };
}

function groupCells(p: PlanInputs, k: number): PartitionSpec[] {
  const groups = new Map<number, { gx: number; gy: number; parcels: number; reach: [number, number, number, number] | null }>();
  const groupsX = Math.ceil(p.cellsX / k);
  for (const c of p.cells) {
    const gx = Math.floor((c.cell % p.cellsX) / k), gy = Math.floor(Math.floor(c.cell / p.cellsX) / k);
    const key = gy * groupsX + gx;
    const g = groups.get(key) ?? { gx, gy, parcels: 0, reach: null };
    g.parcels += c.parcels;
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
    const data: ParcelPartitionData = { k, gx: g.gx, gy: g.gy };
    return {
      id: `parcels-k${k}-${g.gx}-${g.gy}`,
      ...(window ? { window } : {}),
      estimatedPeakBytes: BASELINE_BYTES + pixels * bytesPerPixel(p) + loadedParcelBytes(p) + g.parcels * bytesPerOwnParcel(p),
      data,
    };
  });
}

/** True when `cell` belongs to the partition described by `data`. */
export function ownsCell(data: ParcelPartitionData, cell: number, cellsX: number): boolean {
  return Math.floor((cell % cellsX) / data.k) === data.gx && Math.floor(Math.floor(cell / cellsX) / data.k) === data.gy;
}
