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

/** Problems named in one message; the count says how many more. */
export const LISTED = 10;

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
      checked = checkedPolygons(feature.geometry, !!opts.trusted, budget);
    } catch (e) {
      if (!(e instanceof CheckTooCostlyError)) throw e;
      throw new InputError(raw.href, tooComplexMessage(work, index));
    }
    const { polygons, problem } = checked;
    if (problem) invalid.push({ index, id: ids[at], reason: problem });
    parcels.push({ index, id: ids[at], polygons });
  });
  if (invalid.length && (opts.invalidGeometry ?? 'error') === 'error') throw new InputError(raw.href, invalidMessage(invalid.slice(0, LISTED), invalid.length));
  return { parcels, invalid };
}

/** The messages toParcels gives, shared with the streaming checks of `ParcelChecks` (same words either way). */
export function tooComplexMessage(work: number, index: number): string {
  return `the parcels' rings are too complex to check for self-intersection (more than ${work.toExponential(0)} segment pairs, reached at feature ${index}); simplify them`;
}

export function invalidMessage(listed: InvalidParcel[], count: number): string {
  const text = listed.slice(0, LISTED).map((p) => `feature ${p.index} (id ${p.id}): ${p.reason}`).join('; ');
  return `${count} invalid parcel geometr${count === 1 ? 'y' : 'ies'}: ${text}${count > LISTED ? '; …' : ''}` +
    ' (fix them, or set params.invalidGeometry to "keep" to rasterise them as GDAL does and list them in the product)';
}

export function missingIdMessage(keys: string[], missing: number[], count: number, firstProperties: string[]): string {
  return `${count} feature(s) have no id property ${idName(keys)}: feature ${missing.slice(0, LISTED).join(', ')}${count > LISTED ? ', …' : ''}` +
    ` (properties of feature ${missing[0]}: ${firstProperties.join(', ') || 'none'})`;
}

/** `dupes` as `"id" (features a and b)`, in the order of the later feature. */
export function duplicateIdMessage(keys: string[], dupes: string[]): string {
  return `${dupes.length} duplicate id(s) in ${idName(keys)}: ${dupes.slice(0, LISTED).join(', ')}${dupes.length > LISTED ? ', …' : ''}` +
    (keys.length === 1 ? '; several properties can make an id, e.g. idProperty: ["farm", "field"]' : '');
}

/** A feature's id from one property or several joined with "/"; undefined when one is missing. */
export function idOf(properties: Record<string, unknown>, keys: string[]): string | undefined {
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  if (keys.length === 1) return absent(properties[keys[0]]) ? undefined : String(properties[keys[0]]);
  const parts = keys.map((k) => properties[k]);
  return parts.some(absent) ? undefined : parts.map((v) => String(v)).join('/');
}

/** Duplicates among ids in file order: each later one with the first feature that had it. */
export function duplicatesOf(ids: { id: string; index: number }[]): string[] {
  const first = new Map<string, number>();
  const dupes: string[] = [];
  for (const { id, index } of ids) {
    const at = first.get(id);
    if (at === undefined) first.set(id, index);
    else dupes.push(`"${id}" (features ${at} and ${index})`);
  }
  return dupes;
}

function idName(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(' + ');
}

function idsOf(raw: RawParcelFile, idProperty: string | string[]): string[] {
  const keys = Array.isArray(idProperty) ? idProperty : [idProperty];
  const fileIndex = (i: number) => raw.features[i].index ?? i;
  const missing: number[] = [];
  const ids = raw.features.map((f, i) => {
    const id = idOf(f.properties, keys);
    if (id === undefined) missing.push(i);
    return id as string;
  });
  if (missing.length) {
    throw new InputError(raw.href, missingIdMessage(keys, missing.slice(0, LISTED).map(fileIndex), missing.length, Object.keys(raw.features[missing[0]].properties)));
  }
  const dupes = duplicatesOf(ids.map((id, i) => ({ id, index: fileIndex(i) })));
  if (dupes.length) throw new InputError(raw.href, duplicateIdMessage(keys, dupes));
  return ids;
}

export function checkedPolygons(geometry: RawFeature['geometry'], trusted: boolean, budget: WorkBudget): { polygons: Polygon[]; problem?: string } {
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
