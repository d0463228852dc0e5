/**
 * Runs a raster op in-process (prepare, plan, every partition, merge into a temp folder) and reads the
 * product back, so composite and coherence-merge tests can compare whole products with golden files.
 *
 * @example
 * const run = await runOp(job, SAMPLE_JOBS, { budgetBytes: 200 * 2 ** 20, blockSize: 64 });
 * run.bands[0]; // first band of result.tif
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareJob } from '../../../functions/core/engine/prepareJob.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { closeCachedRasters } from '../../../functions/core/ops/openRasterCached.ts';
import { operationOf } from '../../../functions/core/ops/registry.ts';
import type { ProductSink, ProductSummary } from '../../../functions/core/ops/types.ts';
import type { OpPlan } from '../../../functions/core/plan/types.ts';
import { memoryPartStore } from '../../helpers/memoryPartStore.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import type { RasterInfo, TypedArray } from '../../../functions/core/raster/types.ts';
import { copyFileSync, writeFileSync } from 'node:fs';

export const SAMPLE_JOBS = fileURLToPath(new URL('../../../sample-data/jobs/', import.meta.url));
export const GOLDEN = fileURLToPath(new URL('../../golden/', import.meta.url));

export function readJob(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(SAMPLE_JOBS, name), 'utf8'));
}

export interface OpRun {
  plan: OpPlan;
  summary: ProductSummary;
  setup: any;
  bands: TypedArray[];
  info: RasterInfo;
  dir: string;
}

export async function runOp(raw: unknown, opts: { budgetBytes?: number; blockSize?: number } = {}): Promise<OpRun> {
  registerCoreStorages();
  const prepared = await prepareJob(raw, join(SAMPLE_JOBS, 'job.json'));
  const op = operationOf(prepared.job.op);
  const setup = prepared.setup as any;
  if (opts.blockSize) setup.blockSize = opts.blockSize;
  const plan = op.plan(setup, { budgetBytes: opts.budgetBytes ?? 2 ** 31 });
  const parts = new Map<string, Uint8Array>();
  for (const p of plan.partitions) parts.set(p.id, await op.runPartition(setup, p));
  const dir = mkdtempSync(join(tmpdir(), 'eofn-op-'));
  const sink: ProductSink = {
    outputHref: dir, scratchDir: dir,
    async write(name, bytes) { writeFileSync(join(dir, name), bytes); return `./${name}`; },
    async writeFile(name, local) { if (local !== join(dir, name)) copyFileSync(local, join(dir, name)); return `./${name}`; },
    async writeStream(name, body) { const chunks: Uint8Array[] = []; for await (const c of body) chunks.push(c); writeFileSync(join(dir, name), Buffer.concat(chunks)); return `./${name}`; },
  };
  const summary = await op.merge(setup, plan.partitions, memoryPartStore(parts), sink);
  const { info, bands } = await readRaster(join(dir, 'result.tif'));
  await closeCachedRasters();
  return { plan, summary, setup, bands, info, dir };
}

/** Every band of a GeoTIFF, in its own dtype. */
export async function readRaster(path: string): Promise<{ info: RasterInfo; bands: TypedArray[] }> {
  registerCoreStorages();
  const r = await openRaster(path);
  const { width, height } = r.info.grid;
  const bands: TypedArray[] = [];
  for (let b = 0; b < r.info.bands; b++) bands.push(await r.readWindow({ x: 0, y: 0, width, height }, b));
  await r.close();
  return { info: r.info, bands };
}

/** Where two float bands differ by more than float32 rounding (relative 1e-6, absolute 1e-6), NaN = NaN. */
export function mismatches(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x !== x || y !== y) { if ((x !== x) !== (y !== y)) bad++; continue; }
    if (Math.abs(x - y) > tol * Math.max(1, Math.abs(y))) bad++;
  }
  return bad;
}
