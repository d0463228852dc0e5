/**
 * The 100k-vertex comb polygon of issue 10: valid, but quadratic for the x-sweep of the self-intersection
 * check (96 s before). Rings past the checked size are reported as such at once; with
 * `invalidGeometry: "keep"` the parcel is kept and listed.
 */
import { describe, expect, it } from 'vitest';
import { toParcels } from '../../../functions/core/vector/toParcels.ts';
import { MAX_CHECKED_RING_VERTICES, ringSelfIntersection } from '../../../functions/core/vector/ringSelfIntersection.ts';
import { combPolygon } from '../../helpers/hostileInputs.ts';

const file = (rings: number[][][]) => ({
  href: 'comb.geojson', crs: 'EPSG:3857', bytes: 0,
  features: rings.map((r, i) => ({ properties: { id: `p${i}` }, geometry: { type: 'Polygon', coordinates: [r] } })),
});

describe('self-intersection check on a comb polygon', () => {
  it('refuses a 100k-vertex comb within a second, naming the limit', () => {
    // Prepare
    const comb = combPolygon(25_000);
    expect(comb.length).toBeGreaterThan(100_000);
    const started = performance.now();
    // Act
    const attempt = () => toParcels(file([comb]) as never, { idProperty: 'id' });
    // Assess
    expect(attempt).toThrow(/comb\.geojson: 1 invalid parcel geometry: .*has 100005 vertices, more than the 10000 eofn checks for self-intersection/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps it with invalidGeometry "keep" and lists it', () => {
    const { parcels, invalid } = toParcels(file([combPolygon(25_000)]) as never, { idProperty: 'id', invalidGeometry: 'keep' });
    expect(parcels).toHaveLength(1);
    expect(invalid).toEqual([{ index: 0, id: 'p0', reason: expect.stringMatching(/100005 vertices/) }]);
  });

  it('checks the largest comb it accepts in well under the time a job allows, and finds no crossing', () => {
    // Prepare
    const comb = combPolygon(Math.floor((MAX_CHECKED_RING_VERTICES - 5) / 4));
    const flat = Float64Array.from(comb.flat());
    const started = performance.now();
    // Act
    const hit = ringSelfIntersection(flat);
    // Assess
    expect(hit).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
