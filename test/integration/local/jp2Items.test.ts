/**
 * Sentinel-2 as CDSE lists it: STAC 1.1 items whose B04_10m / B08_10m / SCL_20m assets are JPEG 2000 band
 * files in a SAFE layout (test/fixtures/jp2/cdse, the sample dates with the baseline 04.00 +1000 in the
 * pixels), run through `eofn run` as a user does. The red/nir/scl job gives the sample NDVI (the issue's
 * 1e-5); with digital numbers kept and the +1000 taken off in the expression (exact: integers in float32)
 * it equals the same job over the sample COGs bit for bit, so the JP2 path itself adds nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { compareRasters, ndviJob, readTiffBand, SCL_MASK, tempOutput } from '../../helpers/sampleJobs.ts';
import { planJob, prepareJob, runPartition, type PreparedJob } from '../../../functions/core/engine/index.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { registerStorage } from '../../../functions/core/io/storage.ts';
import { closeCachedRasters } from '../../../functions/core/ops/openRasterCached.ts';

registerLocalStorages();
const NODE = resolve('node_modules/.bin/node');
const CDSE = resolve('test/fixtures/jp2/cdse');
const CDSE_ITEMS = readdirSync(CDSE).filter((f) => f.endsWith('.json')).map((f) => join(CDSE, f));
// Digital numbers (params.radiometry "raw"), the +1000 taken off by the expression.
const RED = '(B04_10m - 1000)';
const NIR = '(B08_10m - 1000)';

/** `eofn run` on `dir`/job.json, as a user runs it. */
function eofnRun(dir: string) {
  return spawnSync(NODE, [resolve('bin/eofn.js'), 'run', join(dir, 'job.json'), '--workers', '2'], { encoding: 'utf8', cwd: dir });
}

describe('tile-reduce over CDSE-style JPEG 2000 items', () => {
  it('eofn run: the red/nir/scl NDVI job gives the sample NDVI', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'eofn-jp2-'));
    const job = { ...ndviJob({ reducer: 'median' }, CDSE_ITEMS), output: 'out' };
    await writeFile(join(dir, 'job.json'), JSON.stringify(job));
    // Act
    const run = eofnRun(dir);
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const actual = await readTiffBand(join(dir, 'out', 'result.tif'));
    const golden = await readTiffBand(resolve('test/golden/tile-reduce/ndvi-median.tif'));
    const cmp = compareRasters(actual.data, golden.data);
    expect(cmp.nanMismatch).toBe(0);
    expect(cmp.valid).toBeGreaterThan(10_000);
    expect(cmp.maxRelDiff).toBeLessThanOrEqual(1e-5);
    const item = JSON.parse(await readFile(join(dir, 'out', 'item.json'), 'utf8'));
    expect(item.properties['eofn:radiometry'][0].assets.red).toMatchObject({ key: 'B04_10m', scale: 0.0001, offset: -0.1, nodata: 0 });
    // The reader's tile-part index stays in the prepared job: the product item does not carry it.
    expect(JSON.stringify(item)).not.toContain('jp2TileParts');
  });

  it('eofn run with digital numbers gives the NDVI of the same job over the sample COGs, bit for bit', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'eofn-jp2-'));
    const jobPath = join(dir, 'job.json');
    await writeFile(jobPath, JSON.stringify({
      op: 'tile-reduce',
      items: CDSE_ITEMS,
      params: { expression: `(${NIR} - ${RED}) / (${NIR} + ${RED})`, reducer: 'median', mask: { ...SCL_MASK, asset: 'SCL_20m' }, radiometry: 'raw' },
      output: 'out',
    }));
    const cogOutput = await tempOutput('jp2-vs-cog');
    const cog = await runJobLocally({ job: { raw: ndviJob({ reducer: 'median' }) }, output: cogOutput, workers: 1, quiet: true });
    // Act
    const run = eofnRun(dir);
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(cog.record.status).toBe('SUCCEEDED');
    const jp2 = await readTiffBand(join(dir, 'out', 'result.tif'));
    const reference = await readTiffBand(join(cogOutput, 'result.tif'));
    expect(CDSE_ITEMS).toHaveLength(5);
    expect([jp2.width, jp2.height]).toEqual([256, 256]);
    expect(Buffer.from(jp2.data.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true);
    expect(jp2.data.filter((v) => v === v).length).toBeGreaterThan(10_000);
  });

  it('reads in a single worker thread too (decode pool on the main thread)', async () => {
    // Prepare
    const output = await tempOutput('jp2-inline');
    const job = {
      op: 'tile-reduce', items: CDSE_ITEMS.filter((p) => p.includes('20230810T')),
      params: { expression: `${NIR} - ${RED}`, reducer: 'first', mask: { ...SCL_MASK, asset: 'SCL_20m' }, radiometry: 'raw' }, output,
    };
    // Act
    const { record } = await runJobLocally({ job: { raw: job }, output, workers: 1, quiet: true });
    const cog = await tempOutput('cog-inline');
    await runJobLocally({ job: { raw: ndviJob({ expression: 'nir - red', reducer: 'first', }, [resolve('sample-data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A/S2B_33TWM_20230810_0_L2A.json')]) }, output: cog, workers: 1, quiet: true });
    // Assess
    expect(record.status).toBe('SUCCEEDED');
    const a = await readTiffBand(join(output, 'result.tif'));
    const b = await readTiffBand(join(cog, 'result.tif'));
    const diff = [...a.data.keys()].filter((i) => !Object.is(a.data[i], b.data[i]));
    expect(diff.slice(0, 5).map((i) => [i, a.data[i], b.data[i]])).toEqual([]);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  it('a partition opens each JPEG 2000 band with the tile-part index prepare found: no per-tile-part read', async () => {
    // Prepare: the prepared job as a partition gets it (JSON), and a file storage that records range reads
    const raw = { ...ndviJob({ reducer: 'median' }, CDSE_ITEMS), output: await tempOutput('jp2-index') };
    const prepared = JSON.parse(JSON.stringify(await prepareJob(raw))) as PreparedJob;
    const partition = planJob(prepared, { memoryMb: 4096 }).partitions[0];
    const withoutIndex = JSON.parse(JSON.stringify(prepared), (k, v) => (k === 'jp2TileParts' ? undefined : v)) as PreparedJob;
    const reads: number[] = [];
    const files = new FileStorage();
    registerStorage('file', { ...files, readRange: (href, offset, length) => { reads.push(length); return files.readRange(href, offset, length); }, remove: (h) => files.remove(h), list: (p) => files.list(p), removeAll: (p) => files.removeAll(p), readAll: (h) => files.readAll(h), size: (h) => files.size(h), write: (h, b) => files.write(h, b), writeFile: (h, l) => files.writeFile(h, l), writeStream: (h, b) => files.writeStream(h, b) });
    const partitionReads = async (job: PreparedJob) => {
      await closeCachedRasters();
      reads.length = 0;
      await runPartition(job, partition);
      // A hop reads a tile-part's 12-byte SOT header (2 bytes for the EOC that ends the code-stream); tile data is larger.
      return { all: reads.length, hops: reads.filter((n) => n <= 12).length };
    };
    try {
      // Act
      const indexed = await partitionReads(prepared);
      const hopping = await partitionReads(withoutIndex);
      // Assess: 15 band files (5 dates × red, nir, scl); walking, the partition made 77 reads, 52 of them hops
      const assets = (prepared.setup as { items: { assets: Record<string, { fallback?: { jp2TileParts?: unknown } }> }[] }).items.flatMap((i) => Object.values(i.assets));
      expect(assets).toHaveLength(15);
      expect(assets.every((a) => a.fallback?.jp2TileParts)).toBe(true);
      expect(indexed.hops).toBe(0);
      expect(hopping.hops).toBeGreaterThan(0);
      expect(indexed.all).toBe(hopping.all - hopping.hops);
    } finally {
      registerStorage('file', files);
    }
  });
});
