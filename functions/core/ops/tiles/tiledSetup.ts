/**
 * The setup of a multi-tile job (`withTiles`): one op setup per tile, each with the tile's key, grid and
 * items. Its own file so that the op interface (`ops/types.ts`) and the engine can name it without importing
 * `withTiles.ts`. A setup whose tiles are not prepared yet (`setup` absent) is the tile list the jobs stage
 * records when it fans planning out, one `plan-tile` message per tile.
 *
 * @example
 * const tiled: TiledSetup = { kind: 'tiles', tiles: [{ key: '33TWM', grid, items: ['S2B_33TWM_20230813_0_L2A'], setup }] };
 */
import type { Grid } from '../../raster/types.ts';

export interface TileSetup<S = unknown> {
  key: string;
  grid: Grid;
  /** Ids of the tile's items, for its STAC item's links. */
  items: string[];
  /** The op's setup of the tile; absent in a tile list whose tiles are prepared one by one (stored plans). */
  setup: S;
}

export interface TiledSetup<S = unknown> {
  kind: 'tiles';
  tiles: TileSetup<S>[];
  /** In a tile list prepared for fanned-out planning: what the op prepared once for all tiles (`prepareShared`). */
  shared?: unknown;
}

export function isTiled(setup: unknown): setup is TiledSetup {
  return typeof setup === 'object' && setup !== null && (setup as TiledSetup).kind === 'tiles';
}

/**
 * The tile list alone: what every function of a job with stored tile plans loads (the tiles' setups stay in
 * their plans), with what the tiles share when the jobs stage prepared it for plan-tile messages.
 */
export function tileList(setup: TiledSetup): TiledSetup<undefined> {
  const tiles = setup.tiles.map(({ key, grid, items }) => ({ key, grid, items, setup: undefined }));
  return { kind: 'tiles', tiles, ...(setup.shared !== undefined ? { shared: setup.shared } : {}) };
}

/**
 * The tile a partition id names: ids of a multi-tile job start with their tile's key and a dash
 * (`33TWM-r00000-…`); the longest key that fits wins, so `grid-1` never takes `grid-10`'s partitions.
 */
export function tileOfPartitionId(setup: TiledSetup, partitionId: string): string | undefined {
  let best: string | undefined;
  for (const { key } of setup.tiles) {
    if (partitionId.startsWith(`${key}-`) && key.length > (best?.length ?? -1)) best = key;
  }
  return best;
}
