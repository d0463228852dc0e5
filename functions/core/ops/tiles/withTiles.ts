/**
 * Multi-tile jobs for any op whose output follows its inputs' grid: items on several grids (MGRS tiles, UTM
 * zones) are grouped by grid, each group is prepared and planned as a job of its own, and partition ids
 * carry the tile (`33TWM-r00000-c00000-1024x1024`). The merge runs the op's own merge once per tile into
 * `tiles/<tile>/`; the engine then ties the tiles together (collection, mosaic). A job whose items share
 * one grid stays exactly what it was: same setup, ids and product.
 *
 * @example
 * export const OPERATIONS = { 'tile-reduce': withTiles(tileReduce) };
 */
import { footprintWgs84 } from '../../geo/gridOps.ts';
import type { Operation, ProductSink, ProductSummary, TiledPlanning } from '../types.ts';
import { isTiled, type TiledSetup, type TileSetup } from './tiledSetup.ts';
import type { OpPlan } from '../../plan/types.ts';
import { checkAssetMeanings } from '../../stac/checkAssetMeanings.ts';
import { groupItemsByGrid } from './groupItemsByGrid.ts';

export { isTiled, type TiledSetup, type TileSetup } from './tiledSetup.ts';

export interface TileProduct {
  key: string;
  items: string[];
  summary: ProductSummary;
}

export const TILES_FOLDER = 'tiles';
/** Where a multi-tile job's tables go, one file per partition: `read_parquet('<output>/table/*.parquet')`. */
export const DATASET_FOLDER = 'table';

export function withTiles<S>(op: Operation<S>): Operation<S | TiledSetup<S>> {
  const tiles: TiledPlanning<S> = {
    async group(job, items, base) {
      const asset = op.gridAsset?.(job);
      let groups: Awaited<ReturnType<typeof groupItemsByGrid>> = [];
      try {
        if (asset) groups = await groupItemsByGrid(items, asset);
      } catch (e) {
        // Bad input is reported in the op's own order (every asset checked, ambiguous names first): its
        // prepare fails with its own message; if it somehow passes, the grouping's error stands.
        await op.prepare(job, items, base);
        throw e;
      }
      if (groups.length <= 1) return undefined;
      // Each tile sees only its own items: what a key means is checked over all of them first.
      const keys = op.assetKeys?.(job);
      if (keys) checkAssetMeanings(items, keys);
      return { kind: 'tiles', tiles: groups.map((g) => ({ key: g.key, grid: g.grid, items: g.items.map((i) => i.id), setup: undefined })) };
    },

    ...(op.prepareShared ? { prepareShared: (job, base) => op.prepareShared!(job, base) } : {}),

    async prepareTile(job, items, base, list, self) {
      const tile = list.tiles[self];
      // The tile's own items, in the job's order (as the grouping kept them).
      const own = new Set(tile.items);
      const context = { self, tiles: list.tiles.map((t) => ({ key: t.key, grid: t.grid })), ...(list.shared !== undefined ? { shared: list.shared } : {}) };
      const setup = await op.prepare(job, items.filter((i) => own.has(i.id)), base, context);
      return { key: tile.key, grid: tile.grid, items: tile.items, setup };
    },

    planTile(tile, options, tileCount) {
      const plan = op.plan(tile.setup, { ...options, minPartitions: Math.ceil((options.minPartitions ?? 1) / tileCount) });
      return { ...plan, partitions: plan.partitions.map((p) => ({ ...p, id: `${tile.key}-${p.id}`, tile: tile.key })) };
    },
  };

  return {
    ...op,
    tiles,
    async prepare(job, items, base) {
      const list = await tiles.group(job, items, base);
      if (!list) return op.prepare(job, items, base);
      const setups: TileSetup<S>[] = [];
      for (const self of list.tiles.keys()) setups.push(await tiles.prepareTile(job, items, base, list, self));
      return { kind: 'tiles', tiles: setups };
    },

    plan(setup, options) {
      if (!isTiled(setup)) return op.plan(setup, options);
      const partitions: OpPlan['partitions'] = [];
      let mergePeakBytes = 0;
      let mergeScratchBytes = 0;
      let mergeHolds: string | undefined;
      let model: Record<string, number | string> = {};
      const idle: string[] = [];
      for (const tile of setup.tiles) {
        const plan = tiles.planTile(tile as TileSetup<S>, options, setup.tiles.length);
        if (!plan.partitions.length) idle.push(tile.key);
        for (const p of plan.partitions) partitions.push(p);
        // Tiles are merged one after the other: the merge's peak is the largest tile's.
        if (plan.mergePeakBytes >= mergePeakBytes) mergeHolds = plan.mergeHolds && `${plan.mergeHolds} (of tile ${tile.key}, the largest merge)`;
        mergePeakBytes = Math.max(mergePeakBytes, plan.mergePeakBytes);
        mergeScratchBytes = Math.max(mergeScratchBytes, plan.mergeScratchBytes ?? 0);
        if (!Object.keys(model).length) model = plan.model;
      }
      return { partitions, mergePeakBytes, mergeScratchBytes, ...(mergeHolds ? { mergeHolds } : {}), model: tiledModel(model, setup.tiles.map((t) => t.key), idle) };
    },

    runPartition(setup, partition) {
      if (!isTiled(setup)) return op.runPartition(setup, partition);
      return op.runPartition(tileOf(setup, partition.tile).setup, partition);
    },

    async merge(setup, partitions, parts, sink) {
      if (!isTiled(setup)) return op.merge(setup, partitions, parts, sink);
      const tiles: TileProduct[] = [];
      for (const tile of setup.tiles) {
        const own = partitions.filter((p) => p.tile === tile.key);
        const summary = await op.merge(tile.setup, own, parts, tileSink(sink, tile.key));
        // A table has no grid of its own: its tile's footprint places it.
        tiles.push({ key: tile.key, items: tile.items, summary: summary.grid || summary.bbox ? summary : { ...summary, bbox: footprintWgs84(tile.grid).bbox } });
      }
      return { assets: {}, tiles, ...(op.combineTiles ? { properties: op.combineTiles(tiles) } : {}) };
    },
  };
}

/** The model of a multi-tile plan: the first tile's, with the tiles and those with nothing to do (no parcel on them), said rather than silently dropped. */
export function tiledModel(model: Record<string, number | string>, keys: string[], idle: string[]): Record<string, number | string> {
  return { ...model, tiles: keys.join(','), ...(idle.length ? { tilesWithoutWork: idle.join(',') } : {}) };
}

function tileOf<S>(setup: TiledSetup<S>, key: string | undefined): TileSetup<S> {
  const tile = setup.tiles.find((t) => t.key === key);
  if (!tile) throw new Error(`partition of tile ${key ?? '(none)'}: the job has tiles ${setup.tiles.map((t) => t.key).join(', ')}`);
  return tile;
}

/** Writes under `tiles/<key>/`; hrefs it returns are relative to that folder, where the tile's item sits. */
function tileSink(sink: ProductSink, key: string): ProductSink {
  const prefix = `${TILES_FOLDER}/${key}/`;
  return {
    outputHref: sink.outputHref,
    scratchDir: sink.scratchDir,
    async write(name, bytes, type) {
      await sink.write(prefix + name, bytes, type);
      return `./${name}`;
    },
    async writeFile(name, local, type) {
      await sink.writeFile(prefix + name, local, type);
      return `./${name}`;
    },
    async writeStream(name, body, type) {
      await sink.writeStream(prefix + name, body, type);
      return `./${name}`;
    },
  };
}
