/**
 * The `eofn` command as a user runs it: a separate Node process through bin/eofn.js.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_JOB_PATH } from '../../helpers/sampleJobs.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';

const NODE = resolve('node_modules/.bin/node');

function eofn(...args: string[]) {
  const r = spawnSync(NODE, [resolve('bin/eofn.js'), ...args], { encoding: 'utf8', cwd: tmpdir() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('eofn CLI', () => {
  it('demo runs a real job and says where the outputs are', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-cli-')), 'demo');
    const r = eofn('demo', '--output', out, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`product   ${out}/result.tif`);
    expect(r.stdout).toMatch(/median NDVI: 65,288 of 65,536 pixels valid; mean 0\.\d{3}, range -?\d\.\d\d … 0\.\d\d/);
    for (const f of ['result.tif', 'preview.png', 'item.json', 'job.json']) expect(existsSync(join(out, f))).toBe(true);
    expect(await stacFileProblems(join(out, 'item.json'))).toEqual([]);
    const status = eofn('status', out);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/: SUCCEEDED\n {2}\d+\/\d+ partitions done, 0 failed/);
  });

  it.each(['composite-demo', 'coherence-demo', 'parcels-demo'])('the example job %s runs from the command line', async (name) => {
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-cli-')), name);
    const r = eofn('run', resolve(`sample-data/jobs/${name}.json`), '--output', out, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const product = name === 'parcels-demo' ? 'table' : 'result.tif';
    for (const f of [product, 'preview.png', 'item.json', 'job.json']) expect(existsSync(join(out, f))).toBe(true);
    if (name === 'parcels-demo') expect(r.stdout).toContain(`product   ${out}/table/*.parquet (one file per partition)`);
    expect(await stacFileProblems(join(out, 'item.json'))).toEqual([]);
  });

  it('plan prints partitions with estimated peaks, more of them with less memory', () => {
    const big = eofn('plan', DEMO_JOB_PATH, '--memory', '4096');
    const small = eofn('plan', DEMO_JOB_PATH, '--memory', '161', '--json');
    expect(big.code).toBe(0);
    expect(big.stdout).toMatch(/partition\(s\) within 4096 MB/);
    expect(big.stdout).toMatch(/est\. peak +\d+ MB/);
    const plan = JSON.parse(small.stdout);
    expect(plan.partitions.length).toBeGreaterThan(4);
    expect(plan.partitions.every((p: { estimatedPeakBytes: number }) => p.estimatedPeakBytes <= 161 * 2 ** 20)).toBe(true);
  });

  it('plan and run say how input values are made: C1 reflectance from raster:bands, SCL as stored', async () => {
    const job = resolve('test/fixtures/archive/jobs/ndvi-c1.json');
    const plan = eofn('plan', job);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('values: nir, red: x 0.0001 - 0.1 (raster:bands (STAC 1.0)) on 5 items\n');
    expect(plan.stdout).toContain('values: scl: digital numbers (class layer: never scaled) on 5 items\n');
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-cli-')), 'c1');
    const run = eofn('run', job, '--output', out, '--quiet');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  values    nir, red: x 0.0001 - 0.1 (raster:bands (STAC 1.0)) on 5 items\n');
  });

  it('plan and run split a job the same way by default (one worker per core)', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-cli-')), 'agree');
    const plan = JSON.parse(eofn('plan', DEMO_JOB_PATH, '--memory', '400', '--json').stdout);
    eofn('run', DEMO_JOB_PATH, '--memory', '400', '--output', out, '--quiet');
    const record = JSON.parse(await readFile(join(out, 'job.json'), 'utf8'));
    expect(plan.workers).toBeGreaterThanOrEqual(1);
    expect(record.partitions.map((p: { id: string }) => p.id)).toEqual(plan.partitions.map((p: { id: string }) => p.id));
  });

  it('an invalid job exits 2 with every problem by path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eofn-cli-'));
    const job = join(dir, 'bad.json');
    await writeFile(job, JSON.stringify({ op: 'tile-reduce', items: [], params: { expression: 'nir +', reducer: 'avg' }, output: 'o' }));
    const r = eofn('run', job);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('items: expected at least one item');
    expect(r.stderr).toContain('params.reducer:');
    expect(r.stderr).toContain('params.expression: expected a value at end of expression');
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('validate, schema, a file that is not JSON, and an unknown command', async () => {
    expect(eofn('validate', DEMO_JOB_PATH).stdout).toMatch(/^valid: tile-reduce job tile-reduce-[0-9a-f]{16} \(5 item\(s\), every asset it names checked\)\n$/);
    expect(JSON.parse(eofn('schema').stdout).$schema).toContain('2020-12');
    const dir = await mkdtemp(join(tmpdir(), 'eofn-cli-'));
    await writeFile(join(dir, 'x.json'), '{ nope');
    const notJson = eofn('validate', join(dir, 'x.json'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('x.json: not valid JSON');
    const unknown = eofn('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('eofn run <job.json>');
  });

  it('a bad option value is a clear error', () => {
    const r = eofn('plan', DEMO_JOB_PATH, '--memory', 'lots');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--memory expects a positive number of MB, got "lots"');
  });

  it('the job record of a finished run lists partitions with attempts and timings', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-cli-')), 'rec');
    eofn('run', DEMO_JOB_PATH, '--output', out, '--quiet', '--memory', '161');
    const record = JSON.parse(await readFile(join(out, 'job.json'), 'utf8'));
    expect(record.partitions.length).toBeGreaterThan(4);
    expect(record.partitions.every((p: { attempts: number; status: string }) => p.attempts === 1 && p.status === 'SUCCEEDED')).toBe(true);
    expect(record.timings.total).toBeGreaterThan(0);
  });
});
