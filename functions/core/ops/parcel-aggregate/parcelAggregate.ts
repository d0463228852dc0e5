/**
 * parcel-aggregate: per-parcel statistics for each item and each band (an asset or a named expression), as
 * the CAP monitoring community computes them; one table row per parcel × item × band.
 *
 * @example
 * // params: { parcels: '../parcels/si-eurocrops-2021.fgb', idProperty: 'ID', assets: ['red', 'nir'],
 * //           expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: { asset: 'scl', exclude: [3, 8, 9] } }
 */
import { InputError } from '../../errors.ts';
import { boundsOf } from '../../geo/gridOps.ts';
import { resolveHref } from '../../io/storage.ts';
import { assetsOf, parseExpression } from '../../expr/parseExpression.ts';
import { withQuotingHint } from '../../expr/quotingHint.ts';
import { BASELINE_BYTES } from '../../plan/memoryModel.ts';
import { checkItemAssets, openItemAsset, setupItemsOf, type SetupItem } from '../readItemAsset.ts';
import type { ValidJob } from '../../contract/validateJob.ts';
import type { Operation, TileContext } from '../types.ts';
import { parcelOwnership, type OwnershipRule } from './parcelOwnership.ts';
import { indexParcelFile } from './indexParcelFile.ts';
import { DATASET_FOLDER } from '../tiles/withTiles.ts';
import { mergeParcelTable } from './mergeParcelTable.ts';
import type { ParcelAggregateSetup, ParcelBand } from './parcelSetup.ts';
import type { ParcelAggregateParams } from './params.ts';
import { CELL, forgetParcelsOnGrid, parcelsOnGrid, type ParcelSource } from './parcelsOnGrid.ts';
import { runParcelPartition } from './runParcelPartition.ts';
import { previewBytes } from './parcelPreview.ts';
import { nativeSampleBytes } from './readParcelLayers.ts';
import { planParcelPartitions, type ParcelPartitionData, type PlanInputs } from './planParcelPartitions.ts';
import { statColumns } from './parcelStats.ts';
import { summariseParcels } from './summariseParcels.ts';

const LISTED_INVALID = 100;
/** A partition's summary without its preview sample (file name, counts) as the merge keeps it. */
const PART_SUMMARY_BYTES = 512;

export const parcelAggregate: Operation<ParcelAggregateSetup> = {
  name: 'parcel-aggregate',

  gridAsset: (job) => bandsAndInputs(job.params as ParcelAggregateParams).inputs[0],

  assetKeys(job) {
    const params = job.params as ParcelAggregateParams;
    const { inputs } = bandsAndInputs(params);
    return params.mask ? [...new Set([...inputs, params.mask.asset])] : inputs;
  },

  /** `base` (the job file's href) resolves a relative `parcels` href; without it, the current directory. */
  async prepare(job, items, base?: string, tiles?: TileContext) {
    const params = job.params as ParcelAggregateParams;
    const { bands, inputs } = bandsAndInputs(params);
    const keys = params.mask ? [...new Set([...inputs, params.mask.asset])] : inputs;
    const setupItems: SetupItem[] = withQuotingHint(() => setupItemsOf(items, keys, params.radiometry), Object.values(params.expressions ?? {}), items);
    const grid = (await openItemAsset(setupItems[0], inputs[0])).info.grid;
    await checkItemAssets(setupItems, keys, grid, params.mask);
    const given = parcelSourceOf(params, base);
    const outputHref = outputHrefOf(job, base);
    // A tile planned on its own gets the file the jobs stage indexed for all tiles: it never converts it.
    const indexed = (tiles?.shared as SharedParcels | undefined)?.parcels ?? (await indexParcelFile(given, outputHref));
    const source: ParcelSource = { ...given, href: indexed.href };
    const onGrid = await parcelsOnGrid(source, grid);
    // What the memory model charges per pixel depends on how partitions will read each input.
    const native: number[] = [];
    if (!bands.some((b) => b.expression)) {
      for (const key of inputs) {
        const sizes = await Promise.all(setupItems.map(async (item) => nativeSampleBytes((await openItemAsset(item, key)).info, grid)));
        if (sizes.every((b) => b !== undefined)) native.push(Math.max(...(sizes as number[])));
      }
    }
    const ownership: OwnershipRule = { overlap: params.overlap ?? 'one', ...(tiles ? { self: tiles.self, tiles: tiles.tiles } : {}) };
    const owned = parcelOwnership(onGrid, grid, ownership);
    if (!tiles && owned.ownedCount === 0) {
      throw new InputError(source.href, `none of its ${onGrid.total} parcels falls on the items' grid (${grid.crs}, bounds ${boundsOf(grid).join(', ')})`);
    }
    const cells = summariseParcels(onGrid, owned.owned);
    forgetParcelsOnGrid();
    return {
      grid, items: setupItems, inputs, bands,
      stats: statColumns(params.stats ?? []),
      rule: params.rule ?? 'centroid',
      mask: params.mask,
      format: params.format ?? 'parquet',
      parcels: {
        ...source, crs: onGrid.crs, count: onGrid.ids.length, owned: owned.ownedCount, vertices: onGrid.vertices, fileBytes: onGrid.fileBytes,
        total: onGrid.total, indexed: onGrid.indexed, covered: owned.covered, given: given.href,
        ...(indexed.warning ? { warning: indexed.warning } : {}), invalidCount: onGrid.invalid.length, invalid: onGrid.invalid.slice(0, LISTED_INVALID),
      },
      nativeSampleBytes: native, cells, ownership,
      dataset: { outputHref, folder: DATASET_FOLDER }, cellsX: onGrid.cellsX, cellsY: onGrid.cellsY, cellSize: CELL,
    };
  },

  /** The parcel file made searchable once for all tiles (converted when it has no spatial index). */
  async prepareShared(job, base): Promise<SharedParcels> {
    return { parcels: await indexParcelFile(parcelSourceOf(job.params as ParcelAggregateParams, base), outputHrefOf(job, base)) };
  },

  plan(setup, options) {
    const plan = planParcelPartitions(planInputs(setup), options);
    // The merge reads one partition's summary at a time; what it keeps is the previews' sample. It writes
    // no scratch file: the partitions wrote the table, and the previews go from memory to the output.
    return {
      ...plan,
      mergePeakBytes: BASELINE_BYTES + plan.partitions.length * PART_SUMMARY_BYTES + previewBytes(setup.parcels.owned, setup.items.length),
      mergeScratchBytes: 0,
      mergeHolds: "the partitions' summaries and the previews' sample of values (the partitions wrote the table themselves)",
    };
  },

  runPartition(setup, partition) {
    return runParcelPartition(setup, partition.data as ParcelPartitionData, partition.window, partition.id);
  },

  merge(setup, partitions, parts, sink) {
    return mergeParcelTable(setup, partitions, parts, sink);
  },

  combineTiles(tiles) {
    const sum = (key: string) => tiles.reduce((s, t) => s + Number(t.summary.properties?.[key] ?? 0), 0);
    const first = tiles[0].summary.properties ?? {};
    const covered = sum('eofn:parcels_covered');
    return {
      'eofn:parcels': sum('eofn:parcels'),
      'eofn:parcels_in_file': first['eofn:parcels_in_file'],
      'eofn:parcels_covered': covered,
      'eofn:parcels_outside_raster': Number(first['eofn:parcels_in_file']) - covered,
      'eofn:parcels_without_pixels': sum('eofn:parcels_without_pixels'),
      'eofn:invalid_parcels': sum('eofn:invalid_parcels'),
      'eofn:table_rows': sum('eofn:table_rows'),
      'eofn:rule': first['eofn:rule'],
      'eofn:overlap': first['eofn:overlap'],
      ...(first['eofn:warnings'] ? { 'eofn:warnings': first['eofn:warnings'] } : {}),
      'eofn:tiles_without_parcels': tiles.filter((t) => !t.summary.properties?.['eofn:parcels']).map((t) => t.key),
    };
  },
};

/** What the tiles of a job fanned out share: the parcel file they read (`indexParcelFile`'s answer). */
interface SharedParcels {
  parcels: { href: string; warning?: string };
}

function parcelSourceOf(params: ParcelAggregateParams, base: string | undefined): ParcelSource {
  return { href: resolveHref(params.parcels, base), idProperty: params.idProperty, invalidGeometry: params.invalidGeometry ?? 'error' };
}

function outputHrefOf(job: ValidJob, base: string | undefined): string {
  return resolveHref(job.output, base).replace(/\/+$/, '');
}

function bandsAndInputs(params: ParcelAggregateParams): { bands: ParcelBand[]; inputs: string[] } {
  const bands: ParcelBand[] = [
    ...(params.assets ?? []).map((asset) => ({ name: asset, asset })),
    ...Object.entries(params.expressions ?? {}).map(([name, expression]) => ({ name, expression })),
  ];
  const inputs = [...new Set(bands.flatMap((b) => (b.asset ? [b.asset] : assetsOf(parseExpression(b.expression!, `params.expressions.${b.name}`)))))];
  return { bands, inputs };
}

export function planInputs(setup: ParcelAggregateSetup): PlanInputs {
  return {
    cells: setup.cells, cellsX: setup.cellsX, cellsY: setup.cellsY,
    parcels: { count: setup.parcels.total, vertices: setup.parcels.vertices, fileBytes: setup.parcels.fileBytes, indexed: setup.parcels.indexed },
    inputs: setup.inputs.length, nativeSampleBytes: setup.nativeSampleBytes, mask: !!setup.mask, expressions: setup.bands.some((b) => !!b.expression),
    items: setup.items.length, bands: setup.bands.length, stats: setup.stats.length,
  };
}

export type { ParcelAggregateSetup, ParcelBand } from './parcelSetup.ts';
