/**
 * What a finished local run prints: status, where the outputs are, how input values were made (STAC
 * scale/offset or digital numbers), timings, and each failure.
 *
 * @example
 * process.stdout.write(formatRunSummary(result));
 */
import { describeRadiometry, radiometryOfSetup } from '../../core/ops/radiometryRecord.ts';
import { DATASET_FOLDER, isTiled, TILES_FOLDER } from '../../core/ops/tiles/withTiles.ts';
import type { LocalRunResult } from './runJobLocally.ts';

/** The product: parcel-aggregate's dataset (Parquet or CSV, one file per partition), else a COG. */
export function productName({ job }: LocalRunResult['prepared']): string {
  if (job.op !== 'parcel-aggregate') return 'result.tif';
  return `${DATASET_FOLDER}/*.${(job.params as { format?: string }).format ?? 'parquet'} (one file per partition)`;
}

export function formatRunSummary({ record, prepared, alreadyDone }: LocalRunResult): string {
  const out = prepared.outputHref;
  const lines = [`job ${record.id}: ${record.status}${alreadyDone ? ' (already done earlier; --force runs it again)' : ''}`];
  const parcels = prepared.job.op === 'parcel-aggregate';
  if (record.status === 'SUCCEEDED' && isTiled(prepared.setup)) {
    const tiles = prepared.setup.tiles.map((t) => t.key);
    lines.push(
      `  product   ${out}/${parcels ? productName(prepared) : 'mosaic.vrt'}`,
      `  tiles     ${tiles.length} (${tiles.join(' ')}) under ${out}/${TILES_FOLDER}/, linked by ${out}/collection.json`,
      `  STAC item ${out}/item.json`,
    );
  } else if (record.status === 'SUCCEEDED') {
    lines.push(
      `  product   ${out}/${productName(prepared)}`,
      `  quicklook ${out}/preview.png`,
      `  STAC item ${out}/item.json`,
    );
  } else {
    lines.push(...record.errors.map((e) => `  ${e}`), `  failed partitions are recorded in ${out}/_failed/; re-run to retry them`);
  }
  lines.push(`  record    ${out}/job.json`);
  // Physical values or digital numbers: said every time (docs/data-sources.md).
  lines.push(...describeRadiometry(radiometryOfSetup(prepared.setup)).map((l) => `  values    ${l}`));
  if (prepared.search) lines.push(`  ${searchLine(prepared.search)} (kept in ${out}/_eofn/search-items.json)`);
  const t = record.timings;
  const reused = record.partitions.filter((p) => p.reused).length;
  lines.push(`  ${record.partitions.length} partition(s)${reused ? ` (${reused} reused)` : ''}; ${Object.entries(t).map(([k, v]) => `${k} ${v}s`).join(', ')}`);
  return lines.join('\n') + '\n';
}

/** Where a search job's items came from: "items     12 from https://…/search (2 pages, 2026-…)". */
export function searchLine(search: NonNullable<LocalRunResult['prepared']['search']>): string {
  return `items     ${search.found} from ${search.endpoint} (${search.pages} page${search.pages === 1 ? '' : 's'}, searched ${search.searched})`;
}
