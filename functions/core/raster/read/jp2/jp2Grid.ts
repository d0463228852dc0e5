/**
 * The grid of a JPEG 2000 file, from the first source that has one, in GDAL's default order: the GeoJP2 box
 * (a degenerate GeoTIFF, read by the TIFF reader's own GeoKey code), the GMLJP2 box (a RectifiedGrid whose
 * origin is the centre of the first pixel, as GDAL and ESA write it), else the STAC `proj:*` fields passed
 * as a fallback. A file with none of them is rejected, naming what it lacks.
 *
 * @example
 * const grid = await readJp2Grid(href, boxes, 10980, 10980, { crs: 'EPSG:32633', transform: [10, 0, 399960, 0, -10, 5000040] });
 */
import { BadJp2Error, InputError } from '../../../errors.ts';
import { TiffBytes } from '../tiffBytes.ts';
import { TiffDirectory } from '../tiffDirectory.ts';
import { readTiffGrid } from '../tiffGrid.ts';
import type { Grid } from '../../types.ts';
import type { Jp2Boxes } from './jp2Boxes.ts';

/** What a STAC item says about an asset's grid (`proj:code`/`proj:epsg`, `proj:transform`). */
export interface GridFallback {
  crs?: string;
  /** GDAL order: [resX, rotX, originX, rotY, -resY, originY]. */
  transform?: number[];
}

export async function readJp2Grid(href: string, boxes: Jp2Boxes, width: number, height: number, fallback?: GridFallback): Promise<Grid> {
  if (boxes.geoTiff) {
    const dir = await TiffDirectory.read(TiffBytes.fromBytes(`${href} (GeoJP2 box)`, boxes.geoTiff));
    return (await readTiffGrid(dir, width, height)).grid;
  }
  if (boxes.gml) return gmlGrid(href, boxes.gml, width, height);
  if (fallback?.crs && fallback.transform) return stacGrid(href, fallback as Required<GridFallback>, width, height);
  throw new InputError(href, 'has no georeferencing: no GeoJP2 or GMLJP2 box, and its STAC asset has no proj:code and proj:transform');
}

function gmlGrid(href: string, gml: string, width: number, height: number): Grid {
  const bad = (msg: string) => new BadJp2Error(href, `GMLJP2 box: ${msg}`);
  const grid = /<gml:RectifiedGrid\b[\s\S]*?<\/gml:RectifiedGrid>/.exec(gml)?.[0];
  if (!grid) throw bad('no gml:RectifiedGrid');
  const srs = /<gml:Point\b[^>]*\bsrsName="([^"]+)"/.exec(grid)?.[1] ?? /\bsrsName="([^"]+)"/.exec(grid)?.[1];
  const pos = numbersOf(/<gml:pos[^>]*>([^<]*)</.exec(grid)?.[1] ?? /<gml:coordinates[^>]*>([^<]*)</.exec(grid)?.[1]);
  const vectors = [...grid.matchAll(/<gml:offsetVector[^>]*>([^<]*)</g)].map((m) => numbersOf(m[1]));
  if (!srs) throw bad('no srsName');
  if (pos.length < 2 || vectors.length < 2 || vectors.some((v) => v.length < 2)) throw bad('origin or offset vectors missing');
  const crs = crsOfSrsName(srs);
  if (!crs) throw bad(`srsName "${srs}" is not an EPSG code`);
  // EPSG geographic CRSs are latitude first in URN/URL form (GDAL swaps them the same way).
  const swap = /^EPSG:4\d{3}$/.test(crs);
  const xy = (v: number[]) => (swap ? [v[1], v[0]] : [v[0], v[1]]);
  const [ox, oy] = xy(pos);
  const [[ax, ay], [bx, by]] = vectors.map(xy);
  if (ay !== 0 || bx !== 0 || !(ax > 0) || !(by < 0)) {
    throw bad(`offset vectors (${ax} ${ay}) and (${bx} ${by}) are not a north-up grid`);
  }
  return { crs, width, height, originX: ox - ax / 2, originY: oy - by / 2, resX: ax, resY: -by };
}

function stacGrid(href: string, fallback: Required<GridFallback>, width: number, height: number): Grid {
  const t = fallback.transform;
  if (t.length < 6 || t[1] !== 0 || t[3] !== 0 || !(t[0] > 0) || !(t[4] < 0)) {
    throw new InputError(href, `STAC proj:transform ${JSON.stringify(t)} is not a north-up grid`);
  }
  return { crs: fallback.crs, width, height, originX: t[2], originY: t[5], resX: t[0], resY: -t[4] };
}

/** "EPSG:32631" from urn:ogc:def:crs:EPSG::32631, urn:ogc:def:crs:EPSG:6.6:32631, .../def/crs/EPSG/0/32631, EPSG:32631. */
function crsOfSrsName(srs: string): string | undefined {
  const m = /EPSG(?::[\d.]*)?:+(\d+)$/i.exec(srs.trim()) ?? /\/EPSG\/[^/]+\/(\d+)$/i.exec(srs.trim());
  return m ? `EPSG:${m[1]}` : undefined;
}

function numbersOf(text: string | undefined): number[] {
  if (!text) return [];
  return text.trim().split(/[\s,]+/).map(Number).filter(Number.isFinite);
}
