/**
 * Real STAC items (test/fixtures/stac-metadata, excerpts with provenance) as the engine holds them after
 * resolveItems, and small inline items built for one case.
 *
 * @example
 * const cdse = fixtureItem('cdse');
 * findAsset(cdse, 'red').key; // 'B04_10m'
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedAsset, ResolvedItem } from '../../../functions/core/stac/resolveItems.ts';

export type FixtureName = 'earth-search-c1' | 'earth-search-legacy' | 'cdse' | 'planetary-computer';

export function fixtureItem(name: FixtureName): ResolvedItem {
  const json = JSON.parse(readFileSync(resolve('test/fixtures/stac-metadata', `${name}.json`), 'utf8'));
  return { id: json.id, datetime: json.properties.datetime, index: 0, properties: json.properties, assets: json.assets };
}

export function itemWith(assets: Record<string, Omit<ResolvedAsset, 'href'> & { href?: string }>, properties: Record<string, unknown> = {}): ResolvedItem {
  const withHrefs = Object.fromEntries(Object.entries(assets).map(([k, a]) => [k, { href: `${k}.tif`, ...a }]));
  return { id: 'item-a', datetime: null, index: 3, properties, assets: withHrefs };
}
