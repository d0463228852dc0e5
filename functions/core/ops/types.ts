/**
 * What an operation provides to the engine. Every method works on a JSON-serialisable `setup` (made once
 * by `prepare`), so that a partition can run in another thread, Lambda or pod from a message alone.
 */
import type { ValidJob } from '../contract/validateJob.ts';
import type { ResolvedItem } from '../stac/resolveItems.ts';
import type { Grid, Window } from '../raster/types.ts';
import type { JobLimits } from '../plan/jobLimits.ts';

export interface PartitionSpec {
  /** Deterministic, derived from what the partition covers: a re-plan of the same job gives the same ids. */
  id: string;
  window?: Window;
  /** The memory model's estimate of this partition's peak, in bytes. */
  estimatedPeakBytes: number;
  /** Op-specific, JSON-serialisable (e.g. the parcel ids of a parcel-aggregate partition). */
  data?: unknown;
  /** The tile (grid) of a multi-tile job this partition belongs to; absent when the job has one grid. */
  tile?: string;
  /** What the partition computes, for time and cost estimates (`scalePlan.ts`); absent: window × items. */
  work?: PartitionWork;
}

export interface PartitionWork {
  /** Input samples decoded: window pixels × items × inputs read. */
  inputPixels: number;
  /** Parcels read, projected and rasterised (parcel-aggregate). */
  parcels?: number;
  /** Rows of statistics (parcels × items × bands). */
  records?: number;
}

/** What an op's prepare knows of the other tiles of a multi-tile job (see `withTiles`). */
export interface TileContext {
  /** This tile's position in `tiles`. */
  self: number;
  /** Every tile of the job, in key order. */
  tiles: { key: string; grid: Grid }[];
}

export interface PlanOptions {
  budgetBytes: number;
  /** Ceilings checked before partitions are built (default `DEFAULT_JOB_LIMITS`). */
  limits?: JobLimits;
  /** Split at least this much (e.g. one partition per local worker) even when memory would allow fewer. */
  minPartitions?: number;
}

export interface OpPlan {
  partitions: PartitionSpec[];
  /** Peak of the merge step (a raster merge holds the product at the parts' coarsest level, see `cogLevels.ts`). */
  mergePeakBytes: number;
  /** Local scratch disk the merge needs (absent: none; a raster merge streams its COG). */
  mergeScratchBytes?: number;
  /** Memory model inputs, printed by `eofn plan` so that a user can see why a job split as it did. */
  model: Record<string, number | string>;
}

/** Where a merge writes the product: files land under the job's output href. */
export interface ProductSink {
  outputHref: string;
  /** A local scratch folder for large files (a COG is written to disk, then uploaded). */
  scratchDir: string;
  /** Where the engine stored a part (for range reads of large parts). */
  partHref(id: string): string;
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

export interface Operation<S = any> {
  name: string;
  /** `base` is where the job document came from: hrefs in params (e.g. parcels) resolve against it. */
  prepare(job: ValidJob, items: ResolvedItem[], base?: string, tiles?: TileContext): Promise<S>;
  /**
   * The asset whose grid the op's output takes, when the output follows its inputs' grid: items on different
   * grids then make a multi-tile job (one output per grid). Undefined when the op warps onto one grid.
   */
  gridAsset?(job: ValidJob): string | undefined;
  plan(setup: S, options: PlanOptions): OpPlan;
  runPartition(setup: S, partition: PartitionSpec): Promise<Uint8Array>;
  /** The job item's properties of a multi-tile product from its tiles' (default: numbers summed). */
  combineTiles?(tiles: { key: string; summary: ProductSummary }[]): Record<string, unknown>;
  merge(setup: S, partitions: PartitionSpec[], readPart: (id: string) => Promise<Uint8Array>, sink: ProductSink): Promise<ProductSummary>;
}
