/**
 * The CRS of a parcel file as "EPSG:<code>", from what each format stores: GeoJSON's `crs` member (RFC 7946
 * default WGS84), FlatGeobuf's header, GeoParquet's PROJJSON. Anything we cannot name is an InputError that
 * names the file and the CRS it declares.
 *
 * @example
 * crsFromGeoJson('a.geojson', { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3794' } }); // 'EPSG:3794'
 */
import { InputError } from '../errors.ts';
import { projDefOf } from '../geo/crs.ts';

export function crsFromGeoJson(href: string, crs: unknown): string {
  if (crs === undefined || crs === null) return 'EPSG:4326';
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  return checked(href, typeof name === 'string' ? epsgFromName(name) : undefined, JSON.stringify(crs));
}

export function crsFromFlatGeobuf(href: string, crs: { org: string | null; code: number; wkt: string | null; name: string | null } | null): string {
  if (!crs) return 'EPSG:4326';
  const org = (crs.org ?? 'EPSG').toUpperCase();
  const code = org === 'EPSG' && crs.code > 0 ? `EPSG:${crs.code}` : undefined;
  return checked(href, code, crs.name ?? crs.wkt?.slice(0, 80) ?? `${crs.org}:${crs.code}`);
}

/** GeoParquet: a missing `crs` means OGC:CRS84; `null` means unknown, which we refuse. */
export function crsFromGeoParquet(href: string, column: { crs?: unknown }): string {
  if (!('crs' in column) || column.crs === undefined) return 'EPSG:4326';
  const crs = column.crs as { id?: { authority?: string; code?: number | string }; name?: string } | null | string;
  if (typeof crs === 'string') return checked(href, epsgFromName(crs), crs);
  const id = crs?.id;
  const code = id && /^(EPSG|OGC)$/i.test(id.authority ?? '')
    ? (String(id.code).toUpperCase() === 'CRS84' ? 'EPSG:4326' : `EPSG:${id.code}`)
    : undefined;
  return checked(href, code, crs === null ? 'null (unknown)' : crs.name ?? JSON.stringify(crs).slice(0, 80));
}

function epsgFromName(name: string): string | undefined {
  if (/CRS84$/i.test(name)) return 'EPSG:4326';
  const m = /EPSG(?::|::|\/\d*\/|:\d*:)(\d+)$/i.exec(name.trim()) ?? /^EPSG:(\d+)$/i.exec(name.trim());
  return m ? `EPSG:${m[1]}` : undefined;
}

function checked(href: string, code: string | undefined, declared: string): string {
  if (!code) throw new InputError(href, `unknown CRS ${declared}: expected an EPSG code the engine knows`);
  try {
    projDefOf(code);
  } catch (e) {
    throw new InputError(href, `CRS ${code} (${declared}): ${(e as Error).message}`);
  }
  return code;
}
