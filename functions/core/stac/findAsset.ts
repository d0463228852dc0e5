/**
 * Finds the asset a job means by a name, so that one job runs on items that key their assets differently:
 * `red` is the asset `red` on Earth Search and the sample data, `B04_10m` on Copernicus Data Space.
 * Order: the exact key; else single-band assets whose band has that common name (`eo:bands[].common_name`
 * in STAC 1.0, `bands[]."eo:common_name"` in 1.1); else the Sentinel-2 band of that name (`B04`, `B8A`,
 * `SCL`, or the band a common name stands for: `red` is `B04`), matched on keys `B04`/`B04_10m` or the band's
 * `name`. Several matches: the finest resolution wins; a tie is an error naming the candidates.
 *
 * @example
 * findAsset(cdseItem, 'red').key;  // 'B04_10m' (B04_20m and B04_60m are coarser)
 * findAsset(cdseItem, 'scl').key;  // 'SCL_20m'
 */
import { InputError } from '../errors.ts';
import type { ResolvedAsset, ResolvedItem } from './resolveItems.ts';

export interface FoundAsset {
  /** The item's own key for the asset. */
  key: string;
  asset: ResolvedAsset;
  /** How the name matched: shown in the product item next to the radiometry applied. */
  matchedBy: 'key' | 'common name' | 'Sentinel-2 band';
}

/** Sentinel-2 MSI bands by the STAC common name they carry (eo extension; B05–B07 are all `rededge`). */
const S2_BAND_OF_COMMON_NAME: Record<string, string> = {
  coastal: 'B01', blue: 'B02', green: 'B03', red: 'B04', nir: 'B08', nir08: 'B8A', nir09: 'B09',
  cirrus: 'B10', swir16: 'B11', swir22: 'B12',
};

/** Sentinel-2 product layers that are not spectral bands, named as in the SAFE file names. */
const S2_LAYERS = ['SCL', 'AOT', 'WVP', 'TCI', 'CLD', 'SNW'];

export function findAsset(item: ResolvedItem, name: string): FoundAsset {
  const exact = item.assets[name];
  if (exact) return { key: name, asset: exact, matchedBy: 'key' };
  const entries = Object.entries(item.assets);
  const lower = name.toLowerCase();
  const byCommonName = entries.filter(([, a]) => singleBandCommonName(a) === lower);
  if (byCommonName.length > 0) return pick(item, name, byCommonName, 'common name');
  const band = sentinel2Band(name);
  if (band) {
    const keyPattern = new RegExp(`^${band}(_\\d+m)?$`, 'i');
    const byBand = entries.filter(([key, a]) => keyPattern.test(key) || singleBandName(a)?.toUpperCase() === band);
    if (byBand.length > 0) return pick(item, name, byBand, 'Sentinel-2 band');
  }
  throw new InputError(`items[${item.index}] (${item.id})`,
    `asset "${name}" not found; the item has: ${entries.map(([k]) => k).join(', ') || 'no assets'} (looked up by key, common name and Sentinel-2 band name)`);
}

/** `B4`, `b04`, `B8a` → `B04`, `B8A`; `scl` → `SCL`; a common name → its band; anything else undefined. */
export function sentinel2Band(name: string): string | undefined {
  const upper = name.toUpperCase();
  const m = /^B(\d{1,2}|8A)$/.exec(upper);
  if (m) return m[1] === '8A' ? 'B8A' : `B${m[1].padStart(2, '0')}`;
  if (S2_LAYERS.includes(upper)) return upper;
  return S2_BAND_OF_COMMON_NAME[name.toLowerCase()];
}

/** Pixel size of an asset from its metadata (gsd, raster spatial_resolution, proj:transform, a `_20m` key). */
export function resolutionOf(key: string, asset: ResolvedAsset): number {
  const band0 = (bandsOf(asset)[0] ?? {}) as Record<string, unknown>;
  const raster0 = (Array.isArray(asset['raster:bands']) ? asset['raster:bands'][0] : undefined) as Record<string, unknown> | undefined;
  const transform = asset['proj:transform'];
  const suffix = /_(\d+)m$/i.exec(key);
  const candidates = [
    asset.gsd, raster0?.spatial_resolution, asset['raster:spatial_resolution'], band0['raster:spatial_resolution'],
    Array.isArray(transform) ? Math.abs(transform[0] as number) : undefined,
    suffix ? Number(suffix[1]) : undefined,
  ];
  const found = candidates.find((c): c is number => typeof c === 'number' && Number.isFinite(c) && c > 0);
  return found ?? Number.POSITIVE_INFINITY;
}

function pick(item: ResolvedItem, name: string, matches: [string, ResolvedAsset][], matchedBy: FoundAsset['matchedBy']): FoundAsset {
  const withRes = matches.map(([key, asset]) => ({ key, asset, res: resolutionOf(key, asset) }));
  const finest = Math.min(...withRes.map((m) => m.res));
  const best = withRes.filter((m) => m.res === finest);
  if (best.length > 1) {
    const at = Number.isFinite(finest) ? `all at ${finest} m` : 'none with a resolution';
    throw new InputError(`items[${item.index}] (${item.id})`,
      `asset "${name}" is ambiguous: it matches ${best.map((m) => `"${m.key}"`).join(', ')} by ${matchedBy} (${at}); name one of them by its key`);
  }
  return { key: best[0].key, asset: best[0].asset, matchedBy };
}

/** The asset's bands: `bands` (STAC 1.1) or `eo:bands` (the eo extension on STAC 1.0). */
export function bandsOf(asset: ResolvedAsset): Record<string, unknown>[] {
  const bands = Array.isArray(asset.bands) ? asset.bands : Array.isArray(asset['eo:bands']) ? asset['eo:bands'] : [];
  return bands.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
}

/** A common name only for single-band assets: a true-colour image's red band is not the red asset. */
function singleBandCommonName(asset: ResolvedAsset): string | undefined {
  const bands = bandsOf(asset);
  if (bands.length !== 1) return undefined;
  const name = bands[0]['eo:common_name'] ?? bands[0].common_name;
  return typeof name === 'string' ? name.toLowerCase() : undefined;
}

function singleBandName(asset: ResolvedAsset): string | undefined {
  const bands = bandsOf(asset);
  return bands.length === 1 && typeof bands[0].name === 'string' ? bands[0].name : undefined;
}
