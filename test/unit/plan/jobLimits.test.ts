/**
 * Bounded before allocated (issue 10): a job's size is computed before its partitions are built and refused
 * past the deployment's ceilings with the numbers in the message: the 300-byte job with `resolution: 1e-9`
 * and the 480 KB TIFF that claims 1,000,000² pixels end in a clear error within a second. Pixels and
 * partitions are checked per tile and over all tiles of a job, and the refusal carries the plan.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planJob, prepareJob } from '../../../functions/core/engine/index.ts';
import { checkCost, checkMergeBytes, JobTooLargeError } from '../../../functions/core/plan/jobLimits.ts';
import { jobLimitsFromEnv } from '../../../functions/adapters/shared/jobLimitsFromEnv.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { hugeGridJob, hugeTiff } from '../../helpers/hostileInputs.ts';
import { sampleItemPath, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { ROOT, TWO_TILE_ITEMS } from '../ops/parcelTestKit.ts';

let dir: string;

beforeAll(async () => {
  registerLocalStorages();
  dir = await mkdtemp(join(tmpdir(), 'eofn-limits-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('job ceilings', () => {
  it('refuses the 300-byte job asking for a 1e-9 m grid before any window is built', async () => {
    // Prepare
    const job = hugeGridJob(SAMPLE_ITEM_IDS.slice(0, 1).map(sampleItemPath), join(dir, 'out'));
    expect(JSON.stringify(job).length).toBeLessThan(400);
    const started = performance.now();
    // Act
    const prepared = await prepareJob(job);
    const attempt = () => planJob(prepared, { memoryMb: 1024 });
    // Assess
    expect(attempt).toThrow(JobTooLargeError);
    expect(attempt).toThrow(/output grid is 2560000000000 x 2560000000000 = 6\.55e\+24 pixels, more than the limit of 1,000,000,000.*EOFN_MAX_OUTPUT_PIXELS/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a 480 KB TIFF that claims 1,000,000 x 1,000,000 pixels before any partition exists', async () => {
    // Prepare
    const tif = join(dir, 'huge.tif');
    const bytes = hugeTiff();
    await writeFile(tif, bytes);
    expect(bytes.length).toBeLessThan(500_000);
    const prepared = await prepareJob({ op: 'tile-reduce', items: [tif], params: { expression: 'data', reducer: 'first' }, output: join(dir, 'huge-out') });
    // Act + Assess
    expect(() => planJob(prepared, { memoryMb: 1769 })).toThrow(/1000000 x 1000000 = 1,000,000,000,000 pixels, more than the limit/);
    // With the pixel ceiling raised, the partition ceiling still refuses it, before building the windows.
    expect(() => planJob(prepared, { memoryMb: 1769, limits: { maxOutputPixels: 1e13 } })).toThrow(/needs [0-9,]+ partitions, more than the limit of 10,000.*EOFN_MAX_PARTITIONS/);
  });

  it('refuses a plan whose merge or estimated cost is past its ceiling, naming both numbers', () => {
    // Act + Assess
    const limits = jobLimitsFromEnv({ EOFN_MAX_MERGE_MB: '512', EOFN_MAX_COST_USD: '0.5' });
    expect(() => checkMergeBytes(3 * 2 ** 30, limits)).toThrow(/merge needs about 3072 MB, more than the limit of 512 MB.*EOFN_MAX_MERGE_MB/);
    expect(() => checkCost(173.2, limits)).toThrow(/estimated at USD 173\.20, more than the limit of USD 0\.5/);
    expect(() => jobLimitsFromEnv({ EOFN_MAX_PARTITIONS: 'lots' })).toThrow(/EOFN_MAX_PARTITIONS must be a positive number/);
  });

  it('sums output pixels over the tiles of a job, and refuses past the ceiling with the plan, before anything runs', async () => {
    // Prepare: NDVI over two tiles (33TWM and 33TWL at 120 m); a ceiling above one tile's grid, below both
    const job = { op: 'tile-reduce', items: TWO_TILE_ITEMS, params: { expression: '(nir - red) / (nir + red)', reducer: 'mean' }, output: join(dir, 'tiles-out') };
    const prepared = await prepareJob(job);
    const tiles = planJob(prepared, { memoryMb: 1024 });
    const perTile = tiles.partitions.filter((p) => p.tile === '33TWM').reduce((s, p) => s + p.window!.width * p.window!.height, 0);
    const total = tiles.partitions.reduce((s, p) => s + p.window!.width * p.window!.height, 0);
    expect(total).toBeGreaterThan(perTile);
    // Act + Assess: refused over the job, with the plan (tiles, partitions, cost, wall time)
    const attempt = () => planJob(prepared, { memoryMb: 1024, limits: { maxOutputPixels: perTile + 1 } });
    expect(attempt).toThrow(JobTooLargeError);
    expect(attempt).toThrow(new RegExp(`the job's output grids hold ${total.toLocaleString('en-US')} pixels over 2 tile\\(s\\), more than the limit of ${(perTile + 1).toLocaleString('en-US')}; ` +
      `split the job or raise EOFN_MAX_OUTPUT_PIXELS\\nscale: 2 tiles \\(33TWL 33TWM\\), ${tiles.partitions.length} partitions.*\\nwork: .*\\nwall time`));
    // Below one tile's grid, the tile itself is refused before its windows are built.
    expect(() => planJob(prepared, { memoryMb: 1024, limits: { maxOutputPixels: perTile - 1 } })).toThrow(/the output grid is \d+ x \d+ = [\d,]+ pixels, more than the limit/);
    // eofn run refuses it the same way (EOFN_MAX_OUTPUT_PIXELS) and writes nothing.
    process.env.EOFN_MAX_OUTPUT_PIXELS = String(perTile + 1);
    try {
      await expect(runJobLocally({ job: { raw: job }, workers: 1, quiet: true })).rejects.toThrow(/the job's output grids hold/);
    } finally {
      delete process.env.EOFN_MAX_OUTPUT_PIXELS;
    }
    expect(existsSync(job.output)).toBe(false);
  });

  it('sums partitions over the tiles of a job, and does not apply the pixel ceiling to a parcel table', async () => {
    // Prepare: parcels over both tiles, one partition per tile
    const prepared = await prepareJob({ op: 'parcel-aggregate', items: TWO_TILE_ITEMS, params: { parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', assets: ['red'] }, output: join(dir, 'parcels-out') });
    // Act + Assess: each tile is within one partition, the job is not
    expect(planJob(prepared, { limits: { maxOutputPixels: 1 } }).partitions).toHaveLength(2);
    expect(() => planJob(prepared, { limits: { maxPartitions: 1 } })).toThrow(/the plan needs 2 partitions, more than the limit of 1; split the job or raise EOFN_MAX_PARTITIONS\nscale: 2 tiles/);
  });

  it('plans the sample job as before within the default ceilings', async () => {
    // Act
    const prepared = await prepareJob({ op: 'tile-reduce', items: SAMPLE_ITEM_IDS.map(sampleItemPath), params: { expression: 'nir', reducer: 'first' }, output: join(dir, 'ok') });
    // Assess
    expect(planJob(prepared, { memoryMb: 1024 }).partitions.length).toBe(1);
  });
});
