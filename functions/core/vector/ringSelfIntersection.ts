/**
 * Where a closed ring crosses itself, without GEOS: segments sorted by their left end and swept, so that
 * only segments whose x-ranges overlap are compared (about n log n for a parcel's ring; rings of up to 12
 * segments compare every pair). Two segments
 * "cross" when each one's ends lie strictly on both sides of the other (a proper crossing), or when
 * collinear segments overlap along a length; touching at a shared vertex is not a crossing.
 *
 * The sweep is quadratic when many segments share an x-range (a comb of long horizontal teeth): rings of more
 * than `MAX_CHECKED_RING_VERTICES` are not checked but reported as such (`toParcels`), which bounds the check
 * to about two seconds per ring whatever the input.
 *
 * @example
 * ringSelfIntersection(Float64Array.of(0,0, 2,2, 2,0, 0,2, 0,0)); // [1, 1]: a bow tie crosses at (1, 1)
 */
import type { Ring } from './types.ts';

/** Vertices of the largest ring checked: 10,000 (n² / 2 = 5·10⁷ comparisons at worst, about 2 s on one core). */
export const MAX_CHECKED_RING_VERTICES = 10_000;

/** Up to this many segments every pair is compared (n (n - 1) / 2 tests, no allocation). */
const SMALL = 12;

/** Segment pairs a whole parcel file may cost (3·10⁸, about 10 s of one core at worst); `toParcels` owns one. */
export const SELF_INTERSECTION_WORK = 3e8;

/** What is left of a file's work budget; a check that would exceed it throws `CheckTooCostlyError`. */
export interface WorkBudget { pairs: number }

export class CheckTooCostlyError extends Error {
  constructor() {
    super('self-intersection check past its work budget');
    this.name = 'CheckTooCostlyError';
  }
}

export function ringSelfIntersection(ring: Ring, budget: WorkBudget = { pairs: Infinity }): [number, number] | undefined {
  const n = ring.length / 2 - 1; // segments of a closed ring
  if (n < 3) return undefined;
  if (n <= SMALL) {
    if ((budget.pairs -= (n * (n - 1)) / 2) < 0) throw new CheckTooCostlyError();
    return allPairs(ring, n);
  }
  const order = sweepOrder(ring, n);
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi];
    const maxX = Math.max(ring[2 * i], ring[2 * i + 2]);
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj];
      if (minX[j] > maxX) break;
      if (--budget.pairs < 0) throw new CheckTooCostlyError();
      const adjacent = Math.abs(i - j) === 1 || Math.abs(i - j) === n - 1;
      const hit = crossing(ring, i, j, adjacent);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Reused between rings: segment order and each segment's smallest x. */
let order = new Int32Array(256);
let minX = new Float64Array(256);

/**
 * Segments by their left end, ties by index (a stable sort): insertion sort into reused buffers for rings of
 * a parcel's size (no allocation, no comparator calls), Array.prototype.sort beyond.
 */
function sweepOrder(ring: Ring, n: number): Int32Array {
  if (order.length < n) {
    order = new Int32Array(2 * n);
    minX = new Float64Array(2 * n);
  }
  for (let i = 0; i < n; i++) minX[i] = Math.min(ring[2 * i], ring[2 * i + 2]);
  if (n > 256) {
    order.set(Array.from({ length: n }, (_, i) => i).sort((a, b) => minX[a] - minX[b]));
    return order;
  }
  for (let i = 0; i < n; i++) {
    const key = minX[i];
    let j = i - 1;
    while (j >= 0 && minX[order[j]] > key) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = i;
  }
  return order;
}

/**
 * Rings of a few segments (most parcels drawn by hand, every generated quadrilateral): each pair once, which
 * costs less than allocating and sorting the sweep's order.
 */
function allPairs(ring: Ring, n: number): [number, number] | undefined {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const hit = crossing(ring, i, j, j - i === 1 || j - i === n - 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

function crossing(r: Ring, i: number, j: number, adjacent: boolean): [number, number] | undefined {
  const ax = r[2 * i], ay = r[2 * i + 1], bx = r[2 * i + 2], by = r[2 * i + 3];
  const cx = r[2 * j], cy = r[2 * j + 1], dx = r[2 * j + 2], dy = r[2 * j + 3];
  if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) return undefined;
  const d1 = orient(cx, cy, dx, dy, ax, ay);
  const d2 = orient(cx, cy, dx, dy, bx, by);
  const d3 = orient(ax, ay, bx, by, cx, cy);
  const d4 = orient(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    const t = d1 / (d1 - d2);
    return [ax + t * (bx - ax), ay + t * (by - ay)];
  }
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    // Collinear: overlapping along a length (beyond the one vertex adjacent segments share) is a crossing.
    const useX = Math.abs(bx - ax) >= Math.abs(by - ay);
    const [a0, a1] = useX ? [Math.min(ax, bx), Math.max(ax, bx)] : [Math.min(ay, by), Math.max(ay, by)];
    const [c0, c1] = useX ? [Math.min(cx, dx), Math.max(cx, dx)] : [Math.min(cy, dy), Math.max(cy, dy)];
    const overlap = Math.min(a1, c1) - Math.max(a0, c0);
    if (overlap > 0 || (!adjacent && overlap === 0)) return useX ? [Math.max(a0, c0), ay] : [ax, Math.max(a0, c0)];
  }
  return undefined;
}

function orient(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}
