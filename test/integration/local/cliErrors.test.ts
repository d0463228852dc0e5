/**
 * The CLI's error contract as a user meets it, each through a separate `eofn` process: usage and input
 * errors exit 2 with one line naming the field, item, asset or href and the cause, never a stack
 * (`--debug` shows it); `--version` and `-h` exit 0.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../../helpers/closedPort.ts';
import { DEMO_JOB_PATH } from '../../helpers/sampleJobs.ts';

const NODE = resolve('node_modules/.bin/node');

function eofn(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(NODE, [resolve('bin/eofn.js'), ...args], { cwd: tmpdir(), env: { ...process.env, EOFN_BACKEND: '', ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function jobFile(job: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'eofn-clierr-')), 'job.json');
  await writeFile(path, JSON.stringify(job));
  return path;
}

const inlineItem = (hrefs: Record<string, string>) => ({
  type: 'Feature', id: 'S2B_remote', properties: { datetime: '2023-08-10T10:00:00Z' },
  assets: Object.fromEntries(Object.entries(hrefs).map(([k, href]) => [k, { href }])),
});
const remoteJob = (red: string, nir: string) => ({ op: 'tile-reduce', items: [inlineItem({ red, nir })], params: { expression: '(nir-red)/(nir+red)', reducer: 'mean' }, output: 'out' });

/** The first line of stderr is the whole message: no stack, no second line of it. */
function oneLine(stderr: string): string {
  expect(stderr).not.toMatch(/^\s+at /m);
  return stderr.split('\n')[0];
}

describe('eofn errors: exit code 2 and one line that names the place and the cause', () => {
  it.each([
    [['run', '/nowhere/job.json'], 'eofn: /nowhere/job.json: cannot read the job file: file not found'],
    [['run', DEMO_JOB_PATH, '--memory', '0'], 'eofn: --memory expects a positive number of MB, got "0"'],
    // The core says `memory`; the command line names the flag that sets it.
    [['plan', DEMO_JOB_PATH, '--memory', '160'], 'eofn: --memory: 160 MB cannot hold the smallest partition of this job, one 64x64 block (161 MB needed: 160 MB runtime + 56 bytes/pixel with 15 % headroom)'],
    [['plan', DEMO_JOB_PATH, '--workers', '0'], 'eofn: --workers expects a whole number, 1 or more, got "0"'],
    [['run', DEMO_JOB_PATH, '--workers', '1.5'], 'eofn: --workers expects a whole number, 1 or more, got "1.5"'],
    [['submit', DEMO_JOB_PATH], 'eofn: choose a deployment with --backend aws|dias (or EOFN_BACKEND)'],
    [['status', 'some-job', '--backend', 'nope'], 'eofn: choose a deployment with --backend aws|dias (or EOFN_BACKEND); "nope" is not one'],
    [['run'], 'eofn: which job? give the path or URL of a job file'],
    [['run', DEMO_JOB_PATH, '--colour', 'red'], "eofn: Unknown option '--colour'"],
    [['frobnicate'], 'eofn: unknown command "frobnicate"'],
  ])('eofn %j', async (args, line) => {
    const r = await eofn(args);
    expect(oneLine(r.stderr)).toBe(line);
    expect(r.code).toBe(2);
  });

  it('--debug adds the stack to the same message', async () => {
    const r = await eofn(['plan', DEMO_JOB_PATH, '--workers', '0', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('eofn: --workers expects a whole number, 1 or more, got "0"');
    expect(r.stderr).toMatch(/UsageError: --workers[\s\S]*\n\s+at /);
  });

  it('--retries 0 (no retry) is accepted', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eofn-clierr-')), 'out');
    const r = await eofn(['run', DEMO_JOB_PATH, '--retries', '0', '--output', out, '--quiet', '--workers', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--version and -h exit 0', async () => {
    const version = await eofn(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: 'eofn 0.1.0\n' });
    const help = await eofn(['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('eofn run <job.json>');
    const planHelp = await eofn(['plan', '--help']);
    expect(planHelp.code).toBe(0);
    expect(planHelp.stdout).toMatch(/^usage: eofn plan <job.json>/);
  });

  it('an unreachable s3:// asset names the item, the asset and the cause', async () => {
    const port = await closedPort();
    const job = await jobFile(remoteJob('s3://bucket/B04.tif', 's3://bucket/B08.tif'));
    const r = await eofn(['validate', job], { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'eu-central-1', AWS_MAX_ATTEMPTS: '1' });
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^eofn: items\\[0\\] \\(S2B_remote\\) asset "(red|nir)" \\(s3://bucket/B0[48]\\.tif\\): .*ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
    expect(r.code).toBe(2);
  });

  it('an unreachable https asset names the item, the asset and the cause', async () => {
    const port = await closedPort();
    const job = await jobFile(remoteJob(`http://127.0.0.1:${port}/B04.tif`, `http://127.0.0.1:${port}/B08.tif`));
    const r = await eofn(['validate', job]);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^eofn: items\\[0\\] \\(S2B_remote\\) asset "(red|nir)" \\(http://127\\.0\\.0\\.1:${port}/B0[48]\\.tif\\): request failed after \\d attempts: network error \\(ECONNREFUSED\\)$`));
    expect(r.code).toBe(2);
  });

  it('non-array coordinates in the parcels name the file and the feature', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eofn-clierr-'));
    await writeFile(join(dir, 'p.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'a1' }, geometry: { type: 'Polygon', coordinates: 5 } }] }));
    const item = resolve('test/fixtures/parcels/si-33TWM/S2B_33TWM_20230813_0_L2A/S2B_33TWM_20230813_0_L2A.json');
    const job = join(dir, 'job.json');
    await writeFile(job, JSON.stringify({ op: 'parcel-aggregate', items: [item], params: { parcels: 'p.geojson', idProperty: 'id', assets: ['red'] }, output: 'out' }));
    const r = await eofn(['run', job, '--quiet']);
    expect(oneLine(r.stderr)).toMatch(/^eofn: .*p\.geojson: 1 invalid parcel geometry: feature 0 \(id a1\): Polygon coordinates are not nested arrays of rings/);
    expect(r.code).toBe(2);
  });

  it('a 5,000-term expression and deep nesting are rejected by validate, by path', async () => {
    const long = Array.from({ length: 5000 }, () => 'a').join('+');
    const deep = `${'('.repeat(4000)}nir${')'.repeat(4000)}`;
    for (const [expression, message] of [[long, 'expression has 5000 values; at most 1000 are allowed'], [deep, 'expression nested deeper than 64 levels at 65']]) {
      const job = await jobFile({ op: 'tile-reduce', items: ['a.json'], params: { expression, reducer: 'mean' }, output: 'out' });
      const r = await eofn(['validate', job]);
      expect(r.stderr).toBe(`eofn: invalid job:\n  params.expression: ${message}\n`);
      expect(r.code).toBe(2);
    }
  });
});
