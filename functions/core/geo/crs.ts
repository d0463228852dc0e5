/**
 * proj4 definitions for the CRSs Sentinel work meets, generated rather than looked up on the network:
 * WGS84, Web Mercator, UTM on WGS84 (326xx/327xx) and on ETRS89 (258xx), ETRS89-LAEA (3035) and a few
 * national grids of CAP paying agencies. Anything else is an InputError naming the CRS.
 *
 * @example
 * const [lon, lat] = proj4(projDefOf('EPSG:32633'), projDefOf('EPSG:4326'), [500000, 5100000]);
 */
import proj4 from 'proj4';
import { InputError } from '../errors.ts';

const NAMED: Record<number, string> = {
  4326: '+proj=longlat +datum=WGS84 +no_defs',
  4258: '+proj=longlat +ellps=GRS80 +towgs84=0,0,0 +no_defs',
  3857: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
  3035: '+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs',
  3794: '+proj=tmerc +lat_0=0 +lon_0=15 +k=0.9999 +x_0=500000 +y_0=-5000000 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs',
  2180: '+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs',
  28992: '+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs',
  2154: '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs',
};

/** The EPSG code of "EPSG:nnnn" (any case), or undefined. */
export function epsgOf(crs: string): number | undefined {
  const m = /^EPSG:(\d+)$/i.exec(crs.trim());
  return m ? Number(m[1]) : undefined;
}

export function projDefOf(crs: string): string {
  const code = epsgOf(crs);
  if (code === undefined) throw new InputError(crs, 'unknown CRS: expected "EPSG:<code>"');
  if (NAMED[code]) return NAMED[code];
  if (code >= 32601 && code <= 32660) return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760) return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`;
  if (code >= 25828 && code <= 25838) return `+proj=utm +zone=${code - 25800} +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs`;
  throw new InputError(crs, `unsupported CRS EPSG:${code}; supported: WGS84 (4326), UTM (326xx, 327xx, 258xx), 3035, 3857, ${Object.keys(NAMED).filter((c) => !['4326', '3035', '3857'].includes(c)).join(', ')}`);
}

/** A function projecting [x, y] from one CRS to another. */
export function transformer(from: string, to: string): (xy: [number, number]) => [number, number] {
  if (from.toUpperCase() === to.toUpperCase()) return (xy) => xy;
  const t = proj4(projDefOf(from), projDefOf(to));
  return (xy) => t.forward(xy) as [number, number];
}
