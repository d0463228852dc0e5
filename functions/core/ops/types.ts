/**
 * What an operation provides to the engine. Every method works on a JSON-serialisable `setup` (made once
 * by `prepare`), so that a partition can run in another thread, Lambda or pod from a message alone.
 */
import type { ValidJob } from '../contract/validateJob.ts';
import type { ResolvedItem } from '../stac/resolveItems.ts';
import type { Grid } from '../raster/types.ts';
import type { OpPlan, PartitionSpec, PlanOptions } from '../plan/types.ts';
import type { TiledSetup, TileSetup } from './tiles/tiledSetup.ts';

/** What an op's prepare knows of the other tiles of a multi-tile job (see `withTiles`). */
export interface TileContext {
  /** This tile's position in `tiles`. */
  self: number;
  /** Every tile of the job, in key order. */
  tiles: { key: string; grid: Grid }[];
  /** What `prepareShared` prepared once for every tile, when the jobs stage fanned the tiles out. */
  shared?: unknown;
}

/**
 * The parts the partitions wrote, as the engine stored them, read by id: whole (`read`) or in ranges
 * (`readRange`, so a merge can stream parts larger than its memory). Built by the engine, so that no op
 * needs to know where or how parts are kept.
 */
export interface PartStore {
  read(id: string): Promise<Uint8Array>;
  /** Bytes [offset, offset+length) of the part; fewer only at its end. */
  readRange(id: string, offset: number, length: number): Promise<Uint8Array>;
  /** The part's size in bytes; throws when the part is missing. */
  size(id: string): Promise<number>;
}

/** Where a merge writes the product: files land under the job's output href. */
export interface ProductSink {
  outputHref: string;
  /** A local scratch folder for large files (a COG is written to disk, then uploaded). */
  scratchDir: string;
  write(name: string, bytes: Uint8Array, contentType: string): Promise<string>;
  /** Stores a scratch file as `name`; the scratch file may be moved (it is not read again). */
  writeFile(name: string, localPath: string, contentType: string): Promise<string>;
  /** Streams `body` to `name` as it is produced (multipart on S3): no local copy of the whole object. */
  writeStream(name: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<string>;
}

export interface ProductAsset {
  href: string;
  type: string;
  roles: string[];
  title?: string;
  [key: string]: unknown;
}

export interface ProductSummary {
  /** The product's grid, for the STAC item's geometry and proj fields (absent for tables). */
  grid?: Grid;
  /** WGS84 bounding box of a product without one grid (a multi-tile job's item). */
  bbox?: [number, number, number, number];
  assets: Record<string, ProductAsset>;
  properties?: Record<string, unknown>;
  /** A multi-tile product: one summary per tile, written under `tiles/<key>/` (see `withTiles`). */
  tiles?: { key: string; items: string[]; summary: ProductSummary }[];
}

/**
 * How a multi-tile op (`withTiles`) is planned a tile at a time, so that the engine can store each tile's plan
 * apart and fan planning out per tile: the tile list alone, one tile's setup, one tile's plan.
 */
export interface TiledPlanning<S = any> {
  /** The job's tiles with no tile prepared (`setup` absent); undefined when the items share one grid. */
  group(job: ValidJob, items: ResolvedItem[], base: string | undefined): Promise<TiledSetup<undefined> | undefined>;
  /** The op's `prepareShared`, for a tile list whose tiles are prepared one by one. */
  prepareShared?(job: ValidJob, base: string | undefined): Promise<unknown>;
  /** Prepares tile `self` of `list` from the job's items (it keeps its own), with `list.shared` when there is one. */
  prepareTile(job: ValidJob, items: ResolvedItem[], base: string | undefined, list: TiledSetup<unknown>, self: number): Promise<TileSetup<S>>;
  /** The tile's plan, partition ids prefixed with its key; `tileCount` shares `minPartitions` out. */
  planTile(tile: TileSetup<S>, options: PlanOptions, tileCount: number): OpPlan;
}

export interface Operation<S = any> {
  name: string;
  /** `base` is where the job document came from: hrefs in params (e.g. parcels) resolve against it. */
  prepare(job: ValidJob, items: ResolvedItem[], base?: string, tiles?: TileContext): Promise<S>;
  /**
   * What every tile of a multi-tile job needs and should be made once, not once per tile: with planning fanned
   * out each tile is prepared by a function of its own (parcel-aggregate: an unindexed parcel file converted).
   * Kept with the tile list and handed to each tile's `prepare` as `tiles.shared`; plain JSON.
   */
  prepareShared?(job: ValidJob, base?: string): Promise<unknown>;
  /**
   * The asset whose grid the op's output takes, when the output follows its inputs' grid: items on different
   * grids then make a multi-tile job (one output per grid). Undefined when the op warps onto one grid.
   */
  gridAsset?(job: ValidJob): string | undefined;
  /**
   * The asset keys the job reads. A multi-tile job prepares each tile's items apart, so `withTiles` checks
   * with these that every item of the job, whatever its tile, means the same band by each key.
   */
  assetKeys?(job: ValidJob): string[];
  plan(setup: S, options: PlanOptions): OpPlan;
  runPartition(setup: S, partition: PartitionSpec): Promise<Uint8Array>;
  /** The job item's properties of a multi-tile product from its tiles' (default: numbers summed). */
  combineTiles?(tiles: { key: string; summary: ProductSummary }[]): Record<string, unknown>;
  merge(setup: S, partitions: PartitionSpec[], parts: PartStore, sink: ProductSink): Promise<ProductSummary>;
  /** Present on a multi-tile op: planning a tile at a time. */
  tiles?: TiledPlanning;
}
