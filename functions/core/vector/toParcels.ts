/**
 * Checks the features of a parcel file and makes parcels of them. Ids: every feature must have the id
 * property (an error names the feature indexes that lack it) and ids must be unique (an error lists the
 * duplicates). Geometries: Polygon or MultiPolygon, rings of at least 4 finite positions, closed, not
 * crossing themselves. With `invalidGeometry: 'error'` (the default) a bad geometry fails the job and the
 * message lists them; with `'keep'` each is kept as GDAL would rasterise it (rings closed, even-odd rule;
 * a missing geometry gives a parcel without pixels) and listed in `invalid`, so nothing is lost silently.
 *
 * @example
 * const { parcels } = toParcels(await readParcelFile(href), { idProperty: 'ID' });
 */
import { InputError } from '../errors.ts';
import {
  CheckTooCostlyError, MAX_CHECKED_RING_VERTICES, ringSelfIntersection, SELF_INTERSECTION_WORK, type WorkBudget,
} from './ringSelfIntersection.ts';
import type { Parcel, Polygon, RawFeature, RawParcelFile, Ring } from './types.ts';

export interface ToParcelsOptions {
  /** One property, or several whose values are joined with "/" (e.g. ["Journalnr", "Marknr"]). */
  idProperty: string | string[];
  invalidGeometry?: 'error' | 'keep';
  /** Skip the self-intersection sweep (partitions re-reading a file that `prepare` already checked). */
  trusted?: boolean;
  /** Segment pairs the whole file's self-intersection checks may cost (default `SELF_INTERSECTION_WORK`). */
  selfIntersectionWork?: number;
}

export interface InvalidParcel {
  index: number;
  id: string;
  reason: string;
}

const LISTED = 10;

export function toParcels(raw: RawParcelFile, opts: ToParcelsOptions): { parcels: Parcel[]; invalid: InvalidParcel[] } {
  const ids = idsOf(raw, opts.idProperty);
  const parcels: Parcel[] = [];
  const invalid: InvalidParcel[] = [];
  // One budget for the file: many parcels each just under the vertex limit cannot add up to hours.
  const work = opts.selfIntersectionWork ?? SELF_INTERSECTION_WORK;
  const budget: WorkBudget = { pairs: work };
  raw.features.forEach((feature, at) => {
    const index = feature.index ?? at;
    let checked;
    try {
      checked = polygonsOf(feature.geometry, !!opts.trusted, budget);
    } catch (e) {
      if (!(e instanceof CheckTooCostlyError)) throw e;
      throw new InputError(raw.href, `the parcels' rings are too complex to check for self-intersection (more than ${work.toExponential(0)} segment pairs, reached at feature ${index}); simplify them`);
    }
    const { polygons, problem } = checked;
    if (problem) invalid.push({ index, id: ids[at], reason: problem });
    parcels.push({ index, id: ids[at], polygons });
  });
  if (invalid.length && (opts.invalidGeometry ?? 'error') === 'error') {
    const listed = invalid.slice(0, LISTED).map((p) => `feature ${p.index} (id ${p.id}): ${p.reason}`).join('; ');
    throw new InputError(raw.href, `${invalid.length} invalid parcel geometr${invalid.length === 1 ? 'y' : 'ies'}: ${listed}${invalid.length > LISTED ? '; …' : ''}` +
      ' (fix them, or set params.invalidGeometry to "keep" to rasterise them as GDAL does and list them in the product)');
  }
  return { parcels, invalid };
}

function idsOf(raw: RawParcelFile, idProperty: string | string[]): string[] {
  const keys = Array.isArray(idProperty) ? idProperty : [idProperty];
  const missing: number[] = [];
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  const ids = raw.features.map((f, i) => {
    if (keys.length === 1) {
      const v = f.properties[keys[0]];
      if (absent(v)) missing.push(i);
      return String(v);
    }
    const parts = keys.map((k) => f.properties[k]);
    if (parts.some(absent)) missing.push(i);
    return parts.map((v) => String(v)).join('/');
  });
  const name = keys.map((k) => `"${k}"`).join(' + ');
  const fileIndex = (i: number) => raw.features[i].index ?? i;
  if (missing.length) {
    throw new InputError(raw.href, `${missing.length} feature(s) have no id property ${name}: feature ${missing.slice(0, LISTED).map(fileIndex).join(', ')}${missing.length > LISTED ? ', …' : ''}` +
      ` (properties of feature ${fileIndex(missing[0])}: ${Object.keys(raw.features[missing[0]].properties).join(', ') || 'none'})`);
  }
  const first = new Map<string, number>();
  const dupes: string[] = [];
  ids.forEach((id, i) => {
    const at = first.get(id);
    if (at === undefined) first.set(id, i);
    else dupes.push(`"${id}" (features ${fileIndex(at)} and ${fileIndex(i)})`);
  });
  if (dupes.length) {
    throw new InputError(raw.href, `${dupes.length} duplicate id(s) in ${name}: ${dupes.slice(0, LISTED).join(', ')}${dupes.length > LISTED ? ', …' : ''}` +
      (keys.length === 1 ? '; several properties can make an id, e.g. idProperty: ["farm", "field"]' : ''));
  }
  return ids;
}

function polygonsOf(geometry: RawFeature['geometry'], trusted: boolean, budget: WorkBudget): { polygons: Polygon[]; problem?: string } {
  if (!geometry) return { polygons: [], problem: 'no geometry' };
  let coords: unknown[];
  if (geometry.type === 'Polygon') coords = [geometry.coordinates];
  else if (geometry.type === 'MultiPolygon') coords = geometry.coordinates as unknown[];
  else return { polygons: [], problem: `geometry type ${geometry.type}; expected Polygon or MultiPolygon` };
  // The file is another party's: every level must be the arrays GeoJSON promises before it is read.
  if (!Array.isArray(geometry.coordinates) || !coords.every((poly) => Array.isArray(poly) && poly.every(Array.isArray))) {
    return { polygons: [], problem: `${geometry.type} coordinates are not nested arrays of rings` };
  }
  const problems: string[] = [];
  const polygons = (coords as unknown[]).map((poly, p) => (Array.isArray(poly) ? poly : [poly]).map((ring, r) => {
    const where = coords.length > 1 ? `polygon ${p} ring ${r}` : `ring ${r}`;
    const { ring: flat, problem } = ringOf(ring, trusted, budget);
    if (problem) problems.push(`${where} ${problem}`);
    return flat;
  }).filter((ring) => ring.length >= 8));
  return { polygons, problem: problems.length ? problems.join(', ') : undefined };
}

function ringOf(positions: unknown, trusted: boolean, budget: WorkBudget): { ring: Ring; problem?: string } {
  if (!Array.isArray(positions)) return { ring: new Float64Array(0), problem: 'is not an array of positions' };
  const n = positions.length;
  if (!positions.every((p) => Array.isArray(p) && p.length >= 2)) return { ring: new Float64Array(0), problem: 'has a position that is not [x, y]' };
  const closed = n > 0 && same(positions[0], positions[n - 1]);
  const ring = new Float64Array(2 * (closed ? n : n + 1));
  for (let i = 0; i < n; i++) {
    const p = positions[i] as number[];
    ring[2 * i] = p[0];
    ring[2 * i + 1] = p[1];
  }
  if (!closed && n > 0) {
    ring[2 * n] = ring[0];
    ring[2 * n + 1] = ring[1];
  }
  let finite = true;
  for (let i = 0; i < ring.length; i++) finite &&= Number.isFinite(ring[i]);
  if (!finite) return { ring: new Float64Array(0), problem: 'has a non-finite coordinate' };
  if (n < 4) return { ring, problem: `has ${n} positions; a closed ring needs at least 4` };
  if (!closed) return { ring, problem: 'is not closed (last position differs from the first)' };
  if (!trusted) {
    if (n > MAX_CHECKED_RING_VERTICES) {
      return { ring, problem: `has ${n} vertices, more than the ${MAX_CHECKED_RING_VERTICES} eofn checks for self-intersection; simplify it` };
    }
    const hit = ringSelfIntersection(ring, budget);
    if (hit) return { ring, problem: `crosses itself near (${hit[0]}, ${hit[1]})` };
  }
  return { ring };
}

function same(a: unknown, b: unknown): boolean {
  const p = a as number[], q = b as number[];
  return Array.isArray(p) && Array.isArray(q) && p[0] === q[0] && p[1] === q[1];
}
