/**
 * Self-intersection of rings of every size the check handles differently: pair by pair (up to 12 segments),
 * swept with an insertion-sorted order (up to 256), swept with Array.prototype.sort beyond.
 */
import { describe, expect, it } from 'vitest';
import { ringSelfIntersection } from '../../../functions/core/vector/ringSelfIntersection.ts';

/** A closed ring around (0, 0) with `n` vertices at jittered radii: simple (star-shaped). */
function starRing(n: number, seed: number): Float64Array {
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ring = new Float64Array(2 * n + 2);
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n, r = 100 + 40 * rand();
    ring[2 * k] = r * Math.cos(a);
    ring[2 * k + 1] = r * Math.sin(a);
  }
  ring[2 * n] = ring[0];
  ring[2 * n + 1] = ring[1];
  return ring;
}

describe('ringSelfIntersection', () => {
  for (const n of [5, 12, 13, 40, 256, 257, 1000]) {
    it(`finds no crossing in a simple ring of ${n} vertices, and the crossing once two vertices are swapped`, () => {
      // Prepare
      const simple = starRing(n, n);
      const crossed = Float64Array.from(simple);
      const a = Math.floor(n / 3), b = Math.floor((2 * n) / 3); // swap two distant vertices: a bow tie
      [crossed[2 * a], crossed[2 * b]] = [crossed[2 * b], crossed[2 * a]];
      [crossed[2 * a + 1], crossed[2 * b + 1]] = [crossed[2 * b + 1], crossed[2 * a + 1]];
      // Act
      const none = ringSelfIntersection(simple);
      const hit = ringSelfIntersection(crossed);
      // Assess
      expect(none).toBeUndefined();
      expect(hit).toBeDefined();
      expect(Math.hypot(hit![0], hit![1])).toBeLessThan(140);
    });
  }

  it('counts only proper crossings and collinear overlaps: a vertex touching an edge is not one', () => {
    expect(ringSelfIntersection(Float64Array.of(0, 0, 4, 0, 4, 4, 2, 0, 0, 4, 0, 0))).toBeUndefined();
    expect(ringSelfIntersection(Float64Array.of(0, 0, 4, 0, 4, 4, 3, 0, 1, 0, 0, 4, 0, 0))).toBeDefined();
  });
});
