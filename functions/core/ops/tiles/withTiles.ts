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
import type { Grid } from '../../raster/types.ts';
import type { Operation, ProductSink, ProductSummary } from '../types.ts';
import type { PartitionSpec } from '../../plan/types.ts';
import { checkAssetMeanings } from '../../stac/checkAssetMeanings.ts';
import { groupItemsByGrid } from './groupItemsByGrid.ts';

export interface TileSetup<S = unknown> {
  key: string;
  grid: Grid;
  /** Ids of the tile's items, for its STAC item's links. */
  items: string[];
  setup: S;
}

export interface TiledSetup<S = unknown> {
  kind: 'tiles';
  tiles: TileSetup<S>[];
}

export interface TileProduct {
  key: string;
  items: string[];
  summary: ProductSummary;
}

export const TILES_FOLDER = 'tiles';
/** Where a multi-tile job's tables go, one file per partition: `read_parquet('<output>/table/*.parquet')`. */
export const DATASET_FOLDER = 'table';

export function isTiled(setup: unknown): setup is TiledSetup {
  return typeof setup === 'object' && setup !== null && (setup as TiledSetup).kind === 'tiles';
}

export function withTiles<S>(op: Operation<S>): Operation<S | TiledSetup<S>> {
  return {
    ...op,
    async prepare(job, items, base) {
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
      if (groups.length <= 1) return op.prepare(job, items, base);
      // Each tile sees only its own items: what a key means is checked over all of them first.
      const keys = op.assetKeys?.(job);
      if (keys) checkAssetMeanings(items, keys);
      const tiles = groups.map((g) => ({ key: g.key, grid: g.grid }));
      const setups: TileSetup<S>[] = [];
      for (const [self, g] of groups.entries()) {
        setups.push({ key: g.key, grid: g.grid, items: g.items.map((i) => i.id), setup: await op.prepare(job, g.items, base, { self, tiles }) });
      }
      return { kind: 'tiles', tiles: setups };
    },

    plan(setup, options) {
      if (!isTiled(setup)) return op.plan(setup, options);
      const perTile = Math.ceil((options.minPartitions ?? 1) / setup.tiles.length);
      const partitions: PartitionSpec[] = [];
      let mergePeakBytes = 0;
      let mergeScratchBytes = 0;
      let mergeHolds: string | undefined;
      let model: Record<string, number | string> = {};
      const idle: string[] = [];
      for (const tile of setup.tiles) {
        const plan = op.plan(tile.setup, { ...options, minPartitions: perTile });
        if (!plan.partitions.length) idle.push(tile.key);
        for (const p of plan.partitions) partitions.push({ ...p, id: `${tile.key}-${p.id}`, tile: tile.key });
        // Tiles are merged one after the other: the merge's peak is the largest tile's.
        if (plan.mergePeakBytes >= mergePeakBytes) mergeHolds = plan.mergeHolds && `${plan.mergeHolds} (of tile ${tile.key}, the largest merge)`;
        mergePeakBytes = Math.max(mergePeakBytes, plan.mergePeakBytes);
        mergeScratchBytes = Math.max(mergeScratchBytes, plan.mergeScratchBytes ?? 0);
        if (!Object.keys(model).length) model = plan.model;
      }
      // A tile with nothing to do (no parcel on it) is said, not silently dropped.
      return { partitions, mergePeakBytes, mergeScratchBytes, ...(mergeHolds ? { mergeHolds } : {}), model: { ...model, tiles: setup.tiles.map((t) => t.key).join(','), ...(idle.length ? { tilesWithoutWork: idle.join(',') } : {}) } };
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
