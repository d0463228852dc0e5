/**
 * What each input's values were made of: per item, per asset name, the item's own key, how the name matched,
 * and the scale/offset applied (or why none). Written to the product item as `eofn:radiometry` and summed up
 * in one line per distinct treatment when a local run ends, so that nobody gets reflectance or digital
 * numbers without being told which.
 *
 * @example
 * describeRadiometry(radiometryOfSetup(prepared.setup));
 * // ['red, nir: x 0.0001 - 0.1 (raster:bands (STAC 1.0)) on 5 items', 'scl: digital numbers (class layer: never scaled) on 5 items']
 */
import type { SetupAsset, SetupItem } from './readItemAsset.ts';

export type AssetRecord = Omit<SetupAsset, 'href'>;
export type RadiometryRecord = { item: string; assets: Record<string, AssetRecord> }[];

export function radiometryRecord(items: Pick<SetupItem, 'id' | 'assets'>[]): RadiometryRecord {
  return items.map((item) => ({
    item: item.id,
    assets: Object.fromEntries(Object.entries(item.assets).map(([name, { href: _href, ...rest }]) => [name, withoutReaderIndex(rest)])),
  }));
}

/** A JPEG 2000 tile-part index rides in `fallback` for the partitions' reader; it says nothing of the values. */
function withoutReaderIndex(asset: AssetRecord): AssetRecord {
  if (!asset.fallback?.jp2TileParts) return asset;
  const { jp2TileParts: _index, ...fallback } = asset.fallback;
  return { ...asset, fallback };
}

/**
 * The record of any op's setup: items with `assets` by name (tile-reduce, composite, parcel-aggregate), or
 * coherence-merge's items with one `asset` under the setup's asset name. Undefined for a setup with neither.
 */
export function radiometryOfSetup(setup: unknown): RadiometryRecord | undefined {
  const s = setup as { asset?: string; items?: { id: string; assets?: Record<string, SetupAsset>; asset?: AssetRecord }[]; kind?: string; tiles?: { setup: unknown }[] };
  // A multi-tile job (see withTiles): its tiles' records, one after the other.
  if (s?.kind === 'tiles' && Array.isArray(s.tiles)) return s.tiles.flatMap((t) => radiometryOfSetup(t.setup) ?? []);
  if (!Array.isArray(s?.items)) return undefined;
  if (s.items.every((i) => i.assets)) return radiometryRecord(s.items as Pick<SetupItem, 'id' | 'assets'>[]);
  if (s.asset && s.items.every((i) => i.asset)) return s.items.map((i) => ({ item: i.id, assets: { [s.asset!]: i.asset! } }));
  return undefined;
}

/** One line per distinct treatment, naming the assets and how many items had it. */
export function describeRadiometry(record: RadiometryRecord | undefined): string[] {
  if (!record) return [];
  const groups = new Map<string, { names: Set<string>; items: Set<string> }>();
  for (const { item, assets } of record) {
    for (const [name, a] of Object.entries(assets)) {
      const how = a.scale === 1 && a.offset === 0 ? `digital numbers (${a.source})` : `x ${a.scale}${a.offset ? ` ${a.offset < 0 ? '-' : '+'} ${Math.abs(a.offset)}` : ''} (${a.source})`;
      const group = groups.get(how) ?? { names: new Set(), items: new Set() };
      group.names.add(name === a.key ? name : `${name}=${a.key}`);
      group.items.add(item);
      groups.set(how, group);
    }
  }
  return [...groups].map(([how, g]) => `${[...g.names].join(', ')}: ${how} on ${g.items.size} item${g.items.size === 1 ? '' : 's'}`);
}
