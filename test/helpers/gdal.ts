/**
 * Optional checks with the system GDAL (Debian's gdal-bin + python3-gdal). Tests call `hasGdal()` and run
 * these extra assertions only when it is true, so `npm test` needs neither Python nor GDAL.
 *
 * @example
 * if (hasGdal()) expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';
const GDALINFO = '/usr/bin/gdalinfo';

let available: boolean | undefined;

/** True when gdalinfo and GDAL's Python COG validator can both be run. */
export function hasGdal(): boolean {
  if (available === undefined) {
    available = existsSync(GDALINFO) && existsSync(PYTHON) && runs(PYTHON, ['-c', 'from osgeo_utils.samples import validate_cloud_optimized_geotiff']);
  }
  return available;
}

/**
 * GDAL's own COG validator (`validate_cloud_optimized_geotiff`, full check of tile leaders/trailers).
 *
 * @example
 * const { errors, warnings } = validateCog('/tmp/out.tif');
 */
export function validateCog(path: string): { errors: string[]; warnings: string[] } {
  const script = [
    'import json, sys',
    'from osgeo import gdal',
    'from osgeo_utils.samples import validate_cloud_optimized_geotiff as v',
    'gdal.UseExceptions()',
    'warnings, errors, _ = v.validate(sys.argv[1], check_tiled=True, full_check=True)',
    'print(json.dumps({"errors": errors, "warnings": warnings}))',
  ].join('\n');
  return JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' })) as { errors: string[]; warnings: string[] };
}

/**
 * `gdalinfo -json` of a file, parsed.
 *
 * @example
 * gdalinfoJson('/tmp/out.tif').bands[0].overviews; // [{ size: [550, 350] }, …]
 */
export function gdalinfoJson(path: string): GdalInfo {
  return JSON.parse(execFileSync(GDALINFO, ['-json', path], { encoding: 'utf8' })) as GdalInfo;
}

/** The parts of `gdalinfo -json` that tests assert on; GDAL prints more, which stays reachable by key. */
export interface GdalInfo {
  driverShortName: string;
  size: [number, number];
  geoTransform?: number[];
  coordinateSystem?: { wkt: string };
  metadata?: Record<string, Record<string, string>>;
  bands: {
    band: number;
    block: [number, number];
    type: string;
    description?: string;
    /** A number, or the strings "NaN", "Infinity", "-Infinity". */
    noDataValue?: number | string;
    overviews?: { size: [number, number] }[];
    colorInterpretation?: string;
  }[];
  [key: string]: unknown;
}

/**
 * Pixels of one band (1-based), or of one of its overviews (0-based, largest first), as GDAL decodes them.
 *
 * @example
 * const values = gdalReadBand('/tmp/out.tif', 1, 0); // first overview of band 1, row-major
 */
export function gdalReadBand(path: string, band: number, overview?: number): Float64Array {
  const script = [
    'import sys',
    'from osgeo import gdal',
    'gdal.UseExceptions()',
    // The dataset must stay referenced while its band is used, or GDAL's Python bindings crash.
    'ds = gdal.Open(sys.argv[1])',
    'b = ds.GetRasterBand(int(sys.argv[2]))',
    'if sys.argv[3] != "": b = b.GetOverview(int(sys.argv[3]))',
    'sys.stdout.buffer.write(b.ReadAsArray().astype("<f8").tobytes())',
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', script, path, String(band), overview === undefined ? '' : String(overview)], {
    maxBuffer: 1 << 30,
  });
  return new Float64Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}

function runs(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
