/**
 * What turns an asset's digital numbers into physical values, read from its STAC metadata: value =
 * DN × scale + offset, with `raster:bands[0].scale/offset` (STAC 1.0 raster extension) or the asset's
 * `raster:scale/raster:offset` (STAC 1.1, also on `bands[0]`). Earth Search's `earthsearch:boa_offset_applied:
 * true` says its COGs already had the Sentinel-2 BOA_ADD_OFFSET applied although `raster:bands` still says
 * `offset: -0.1`: then only the scale applies (not to the item's `-jp2` assets, ESA's original files, which
 * still carry the offset). A Sentinel-2 item of processing baseline < 04.00 has no offset in its pixels,
 * whatever `-0.1` its metadata shows (Earth Search's legacy items may show it regardless). Class layers (SCL,
 * `classification:classes`) are never scaled. No metadata: the digital numbers are kept. The STAC `nodata`
 * is the fallback when the file declares none.
 *
 * @example
 * radiometryOf(c1Item, 'red', c1Item.assets.red, 'metadata');
 * // { scale: 0.0001, offset: -0.1, nodata: 0, source: 'raster:bands (STAC 1.0)' }
 */
import { InputError } from '../errors.ts';
import { bandsOf } from './findAsset.ts';
import type { ResolvedAsset, ResolvedItem } from './resolveItems.ts';

/** `metadata` (default): apply the STAC scale/offset; `raw`: keep digital numbers. */
export type RadiometryMode = 'metadata' | 'raw';

export interface Radiometry {
  scale: number;
  offset: number;
  /** The STAC nodata: used only where the file itself declares none. */
  nodata?: number;
  /** Where scale and offset came from, or why none applies: recorded in the product item. */
  source: string;
}

const BOA_FLAG = 'earthsearch:boa_offset_applied';
/** ESA's BOA_ADD_OFFSET (-1000) in reflectance units at the quantification value 10000. */
const BOA_OFFSET = -0.1;

export function radiometryOf(item: ResolvedItem, key: string, asset: ResolvedAsset, mode: RadiometryMode): Radiometry {
  const where = `items[${item.index}] (${item.id}) asset "${key}"`;
  const nodata = stacNodata(asset, where);
  const keep = (source: string): Radiometry => ({ scale: 1, offset: 0, ...(nodata !== undefined ? { nodata } : {}), source });
  if (isClassLayer(key, asset)) return keep('class layer: never scaled');
  if (mode === 'raw') return keep('params.radiometry "raw"');
  const found = scaleOffsetOf(asset, where);
  if (!found) return keep(withoutScale(item));
  if (item.properties[BOA_FLAG] === true && !isJpeg2000(asset)) {
    return { ...keep(`${found.source}, offset not applied: ${BOA_FLAG} is true (already in the pixels)`), scale: found.scale };
  }
  const baseline = processingBaseline(item);
  if (found.offset === BOA_OFFSET && baseline !== undefined && Number(baseline) < 4) {
    return { ...keep(`${found.source}, offset not applied: processing baseline ${baseline} < 04.00 has no BOA_ADD_OFFSET`), scale: found.scale };
  }
  return { ...keep(found.source), scale: found.scale, offset: found.offset };
}

/** The processing baseline (`05.09`) a Sentinel-2 item states: `s2:processing_baseline`, STAC 1.1 `processing:version`. */
function processingBaseline(item: ResolvedItem): string | undefined {
  const p = item.properties;
  const sentinel2 = p.constellation === 'sentinel-2' || 's2:processing_baseline' in p || /^sentinel-2/i.test(String(p.platform ?? ''));
  const value = p['s2:processing_baseline'] ?? p['processing:version'];
  return sentinel2 && typeof value === 'string' && /^\d{2}\.\d{2}$/.test(value) ? value : undefined;
}

export function isIdentity(r: { scale: number; offset: number }): boolean {
  return r.scale === 1 && r.offset === 0;
}

/**
 * SCL-like layers: classified by the classification extension (on the asset or a band) or a `classification`
 * role, or Sentinel-2's scene classification by name.
 */
function isClassLayer(key: string, asset: ResolvedAsset): boolean {
  const classified = (o: Record<string, unknown>) => 'classification:classes' in o || 'classification:bitfields' in o;
  if (classified(asset) || (Array.isArray(asset.roles) && asset.roles.includes('classification'))) return true;
  const bands = bandsOf(asset);
  const rasterBands = Array.isArray(asset['raster:bands']) ? asset['raster:bands'] as Record<string, unknown>[] : [];
  if ([...bands, ...rasterBands].some((b) => b && classified(b))) return true;
  const bandName = bands.length === 1 && typeof bands[0].name === 'string' ? bands[0].name : '';
  return /^scl(_\d+m)?$/i.test(key) || /^scl$/i.test(bandName);
}

/**
 * Sentinel-2 L2A from processing baseline 04.00 on carries BOA_ADD_OFFSET (-1000) in its pixels; an item
 * that says so but has no scale/offset (Planetary Computer, say) is kept in digital numbers, with a warning
 * in the product item rather than a guess.
 */
function withoutScale(item: ResolvedItem): string {
  const baseline = processingBaseline(item);
  return baseline !== undefined && Number(baseline) >= 4
    ? `no scale/offset in the metadata (processing baseline ${baseline}: the pixels may carry BOA_ADD_OFFSET)`
    : 'no scale/offset in the metadata';
}

function scaleOffsetOf(asset: ResolvedAsset, where: string): { scale: number; offset: number; source: string } | undefined {
  const band0 = bandsOf(asset)[0] ?? {};
  const raster0 = Array.isArray(asset['raster:bands']) ? (asset['raster:bands'][0] ?? {}) as Record<string, unknown> : undefined;
  const candidates: [Record<string, unknown> | undefined, string, string, string][] = [
    [asset, 'raster:scale', 'raster:offset', 'raster:scale/raster:offset (STAC 1.1)'],
    [band0, 'raster:scale', 'raster:offset', 'bands[0] raster:scale/raster:offset (STAC 1.1)'],
    [raster0, 'scale', 'offset', 'raster:bands (STAC 1.0)'],
  ];
  for (const [o, s, f, source] of candidates) {
    if (!o || (o[s] === undefined && o[f] === undefined)) continue;
    const scale = numberField(o[s] ?? 1, `${where} ${s}`);
    const offset = numberField(o[f] ?? 0, `${where} ${f}`);
    if (scale === 0) throw new InputError(`${where} ${s}`, 'scale 0 would make every value the offset');
    return { scale, offset, source };
  }
  return undefined;
}

function stacNodata(asset: ResolvedAsset, where: string): number | undefined {
  const raster0 = Array.isArray(asset['raster:bands']) ? (asset['raster:bands'][0] ?? {}) as Record<string, unknown> : {};
  const value = asset.nodata ?? bandsOf(asset)[0]?.nodata ?? raster0.nodata;
  if (value === undefined || value === null) return undefined;
  // STAC writes the special float values as strings.
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  return numberField(value, `${where} nodata`);
}

function numberField(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(where, `expected a finite number, got ${JSON.stringify(value)}`);
  return value;
}

function isJpeg2000(asset: ResolvedAsset): boolean {
  return asset.type === 'image/jp2' || /\.jp2$/i.test(asset.href.split('?')[0]);
}
