/**
 * Items of one job may come from several collections (Sentinel-2 L2A from two catalogues, a reprocessing
 * beside the original), but an asset key must mean the same band in all of them: `red` cannot be B04 in
 * one collection and B05 in another. The meaning is what the first item of each collection says of the
 * asset: its band's common name (`eo:bands` / `bands`), else its band name, else its title. Collections
 * that say nothing are trusted.
 *
 * @example
 * checkAssetMeanings(items, ['red', 'nir']); // throws naming the key, the collections and what each says
 */
import { InputError } from '../errors.ts';
import type { ResolvedAsset, ResolvedItem } from './resolveItems.ts';

export function checkAssetMeanings(items: ResolvedItem[], keys: string[]): void {
  const collections = new Set(items.map((i) => i.collection ?? ''));
  if (collections.size < 2) return;
  for (const key of keys) {
    const seen = new Map<string, { meaning: string; item: ResolvedItem }>();
    for (const item of items) {
      // Only assets found under the job's own key: one found by meaning (findAsset) means what it was found by.
      const asset = item.assets[key];
      const meaning = asset && meaningOf(asset);
      if (!meaning || seen.has(item.collection ?? '')) continue;
      seen.set(item.collection ?? '', { meaning, item });
    }
    const distinct = new Set([...seen.values()].map((s) => s.meaning.toLowerCase()));
    if (distinct.size > 1) {
      const said = [...seen.entries()].map(([c, s]) => `collection "${c || '(none)'}" (items[${s.item.index}] ${s.item.id}): ${s.meaning}`).join('; ');
      throw new InputError(`asset "${key}"`, `means different bands in the job's collections: ${said}; use items whose assets agree, or one collection per job`);
    }
  }
}

function meaningOf(asset: ResolvedAsset): string | undefined {
  const bands = (asset['eo:bands'] ?? asset.bands) as Record<string, unknown>[] | undefined;
  const band = Array.isArray(bands) && bands.length === 1 ? bands[0] : undefined;
  const common = band?.common_name ?? band?.['eo:common_name'];
  if (typeof common === 'string') return common;
  if (typeof band?.name === 'string') return band.name;
  return typeof asset.title === 'string' ? asset.title : undefined;
}
