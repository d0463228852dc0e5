/**
 * Turns a job's `items` (hrefs to STAC item JSON, inline items, or hrefs to GeoTIFFs / JPEG 2000 files) into
 * items whose asset hrefs are absolute, sorted by datetime. An href to a `.tif` (or `.jp2`) stands for an item
 * with one asset `data`, dated from the TIFF's own metadata where it has any.
 *
 * @example
 * const items = await resolveItems(job.items, '/data/jobs/ndvi.json');
 * items[0].assets.red.href; // '/data/S2B_.../B04.tif'
 */
import { describeError, detailOf, InputError, LocatedError } from '../errors.ts';
import { resolveHref, storageFor } from '../io/storage.ts';
import { openRaster } from '../raster/read/openRaster.ts';
import { StacItemSchema, type StacItem } from '../contract/stacItemSchema.ts';
import type { ItemRef } from '../contract/jobSchema.ts';
import { datetimeFromTiffMetadata } from './tiffDatetime.ts';
import { MAX_JSON_DEPTH, tooDeep } from '../contract/jsonDepth.ts';
import { parseJson } from '../io/parseJson.ts';

/** Hrefs that are a raster file rather than a STAC item: GeoTIFF, or a JPEG 2000 band (undated: no metadata). */
const RASTER_FILE = /\.(tiff?|jp2|j2k)$/i;

export interface ResolvedAsset {
  href: string;
  [key: string]: unknown;
}

export interface ResolvedItem {
  id: string;
  datetime: string | null;
  /** Where the item JSON came from (for STAC `derived_from` links); undefined for inline items. */
  href?: string;
  /** The job's `items[i]` index, for error messages that point at the job. */
  index: number;
  /** The STAC collection the item says it belongs to. */
  collection?: string;
  properties: Record<string, unknown>;
  assets: Record<string, ResolvedAsset>;
}

/**
 * `only`: the positions in `refs` to resolve (a tile's own items), the others left unread; each item keeps its
 * position in the job as `index`, so the order and the messages are those of resolving them all.
 */
export async function resolveItems(refs: ItemRef[], jobBase: string | undefined, only?: ReadonlySet<number>): Promise<ResolvedItem[]> {
  const wanted = refs.flatMap((ref, index) => (only && !only.has(index) ? [] : [resolveOne(ref, index, jobBase)]));
  return inDatetimeOrder(await Promise.all(wanted));
}

/**
 * Items a STAC API search found: each is known by its `self` link (for the product's `derived_from`), and
 * relative asset hrefs resolve against it.
 */
export function resolveSearchedItems(items: StacItem[]): ResolvedItem[] {
  return inDatetimeOrder(items.map((item, index) => {
    const self = (item.links as { rel?: string; href?: string }[] | undefined)?.find((l) => l?.rel === 'self')?.href;
    return fromStac(item, typeof self === 'string' && /^https?:\/\//.test(self) ? self : undefined, index);
  }));
}

function inDatetimeOrder(items: ResolvedItem[]): ResolvedItem[] {
  const seen = new Map<string, number>();
  for (const item of items) {
    const first = seen.get(item.id);
    if (first !== undefined) {
      throw new InputError(`items[${item.index}]`, `duplicate item id "${item.id}" (also items[${first}])`);
    }
    seen.set(item.id, item.index);
  }
  // Stable sort: undated items keep their place after the dated ones, in job order.
  return items.sort((a, b) => (a.datetime ?? '\uffff').localeCompare(b.datetime ?? '\uffff') || a.index - b.index);
}

async function resolveOne(ref: ItemRef, index: number, jobBase: string | undefined): Promise<ResolvedItem> {
  const where = `items[${index}]`;
  if (typeof ref !== 'string') return fromStac(ref as StacItem, undefined, index);
  const href = resolveHref(ref, jobBase);
  if (RASTER_FILE.test(href.split('?')[0])) return fromTiff(href, index);
  let text: string;
  try {
    text = new TextDecoder().decode(await storageFor(href).readAll(href));
  } catch (e) {
    throw new InputError(where, `cannot read STAC item ${href}: ${detailOf(e)}`);
  }
  let json: unknown;
  try {
    json = parseJson(text, href);
  } catch (e) {
    throw new InputError(where, reason(e));
  }
  const deep = tooDeep(json);
  if (deep) throw new InputError(where, `${href}: ${deep} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  const parsed = StacItemSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InputError(where, `${href} is not a STAC item: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return fromStac(parsed.data, href, index);
}

function fromStac(item: StacItem, href: string | undefined, index: number): ResolvedItem {
  const assets: Record<string, ResolvedAsset> = {};
  for (const [key, asset] of Object.entries(item.assets)) {
    assets[key] = { ...asset, href: resolveHref(asset.href, href) };
  }
  const props = item.properties as Record<string, unknown>;
  const datetime = (props.datetime as string | null | undefined) ?? (props.start_datetime as string | undefined) ?? null;
  // STAC requires one; without it the item has no place in the time series a reducer runs over.
  if (!datetime) {
    throw new InputError(`items[${index}] (${item.id})`, `${href ?? 'inline item'} has no properties.datetime (nor start_datetime): a STAC item needs one`);
  }
  const collection = typeof item.collection === 'string' ? item.collection : undefined;
  return { id: item.id, datetime, href, index, properties: props, assets, ...(collection ? { collection } : {}) };
}

async function fromTiff(href: string, index: number): Promise<ResolvedItem> {
  let datetime: string | null = null;
  try {
    const raster = await openRaster(href);
    datetime = datetimeFromTiffMetadata(raster.info.metadata);
    await raster.close();
  } catch (e) {
    throw new InputError(`items[${index}]`, reason(e));
  }
  const name = href.split('/').pop()!.replace(RASTER_FILE, '');
  return { id: name, datetime, href, index, properties: { datetime }, assets: { data: { href } } };
}

/** What went wrong, with the href an inner layer named (an item's where is only `items[i]`). */
function reason(e: unknown): string {
  return e instanceof LocatedError ? e.message : describeError(e);
}

