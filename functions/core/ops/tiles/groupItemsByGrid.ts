/**
 * The tiles of a job: its items grouped by the grid of the asset the op's output follows, each group named
 * for its tile. The name comes from the items (STAC `grid:code` "MGRS-33TWM", `s2:mgrs_tile`, the
 * `mgrs:*` fields, or an MGRS code in the item id such as `S2B_33TWM_20230813_0_L2A`); items without one get
 * `grid-<n>` in the order their grids first appear. Groups are sorted by name, so the plan of a job is the
 * same whatever the order of its items.
 *
 * @example
 * const groups = await groupItemsByGrid(items, 'red'); // [{ key: '33TWL', grid, items: [...] }, { key: '33TWM', ... }]
 */
import { InputError } from '../../errors.ts';
import { sameGrid } from '../../geo/gridOps.ts';
import type { Grid } from '../../raster/types.ts';
import { findAsset } from '../../stac/findAsset.ts';
import type { ResolvedItem } from '../../stac/resolveItems.ts';
import { openRasterCached } from '../openRasterCached.ts';

export interface ItemGroup {
  key: string;
  grid: Grid;
  items: ResolvedItem[];
}

export async function groupItemsByGrid(items: ResolvedItem[], assetKey: string): Promise<ItemGroup[]> {
  const grids = await Promise.all(items.map(async (item) => {
    // Found as the ops find it (key, common name, Sentinel-2 band), so that errors are the same.
    const href = findAsset(item, assetKey).asset.href;
    try {
      return (await openRasterCached(href)).info.grid;
    } catch (e) {
      throw new InputError(`items[${item.index}] (${item.id}) asset "${assetKey}" (${href})`, (e as Error).message);
    }
  }));
  const groups: { grid: Grid; items: ResolvedItem[]; names: Set<string> }[] = [];
  items.forEach((item, i) => {
    let group = groups.find((g) => sameGrid(g.grid, grids[i]));
    if (!group) groups.push(group = { grid: grids[i], items: [], names: new Set() });
    group.items.push(item);
    const name = tileNameOf(item);
    if (name) group.names.add(name);
  });
  const used = new Map<string, number>();
  const named = groups.map((g, n) => {
    const base = g.names.size === 1 ? [...g.names][0] : `grid-${n + 1}`;
    used.set(base, (used.get(base) ?? 0) + 1);
    return { base, g };
  });
  const seen = new Map<string, number>();
  return named.map(({ base, g }) => {
    // Two grids under one tile name (a tile in two resolutions, say) keep apart as <name>-1, <name>-2.
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return { key: used.get(base)! > 1 ? `${base}-${k}` : base, grid: g.grid, items: g.items };
  }).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const MGRS_IN_ID = /(?:^|[_-])T?(\d{1,2}[C-HJ-NP-X][A-HJ-NP-Z][A-HJ-NP-V])(?:[_-]|$)/;

/** The tile an item says it is on, as a name safe in keys and paths; undefined when it says nothing. */
function tileNameOf(item: Pick<ResolvedItem, 'id' | 'properties'>): string | undefined {
  const p = item.properties ?? {};
  const code = typeof p['grid:code'] === 'string' ? (p['grid:code'] as string).replace(/^MGRS-/i, '') : undefined;
  const mgrs = p['mgrs:utm_zone'] !== undefined && p['mgrs:latitude_band'] && p['mgrs:grid_square']
    ? `${p['mgrs:utm_zone']}${p['mgrs:latitude_band']}${p['mgrs:grid_square']}` : undefined;
  const name = code ?? (p['s2:mgrs_tile'] as string | undefined) ?? mgrs ?? MGRS_IN_ID.exec(item.id)?.[1];
  return name ? String(name).replace(/[^A-Za-z0-9._-]/g, '_') : undefined;
}
