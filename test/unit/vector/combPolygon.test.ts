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

  it('bounds the whole file: many combs each under the vertex limit end in an error once the work budget is spent', () => {
    // Prepare: 50 combs of 2,005 vertices (about 2·10⁶ segment pairs each), a budget of 10⁷ pairs
    const combs = Array.from({ length: 50 }, () => combPolygon(500));
    const started = performance.now();
    // Act
    const attempt = () => toParcels(file(combs) as never, { idProperty: 'id', selfIntersectionWork: 1e7 });
    // Assess
    expect(attempt).toThrow(/comb\.geojson: the parcels' rings are too complex to check for self-intersection \(more than 1e\+7 segment pairs, reached at feature [1-9]\)/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(toParcels(file(combs.slice(0, 2)) as never, { idProperty: 'id' }).parcels).toHaveLength(2);
  });
});
