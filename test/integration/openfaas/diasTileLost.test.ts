/**
 * A lost `plan-tile` call never leaves a DIAS job stuck (the jobs, tile-reduce, finalize and reconcile functions
 * behind the fake gateway, PostgreSQL, S3 on fauxqs). A job of 3 tiles with planning fanned out: one tile's
 * call is lost on the way and another's function dies planning it once (emulated at the gateway: the delivery
 * claims its tile, as the function's first step does, and is never heard of again); the reconciler sends both
 * again and the job ends as without loss. A tile whose every call dies fails its job naming the tile; redrive
 * after the cause is fixed finishes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDiasBackend } from '../../../functions/adapters/openfaas/cliBackend.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { runPartition } from '../../../functions/core/engine/partitions.ts';
import { withFanoutReference } from '../../helpers/fanout/withFanoutReference.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const fixture = withFanoutReference('eofn-tile-lost-', 2, 3);
const TILES = ['33TWM', '33TXM', '33TYM'];
let dias: DiasHarness;
/** Completed partition runs by `<job>/<partition>`. */
const runs = new Map<string, number>();

beforeAll(async () => {
  dias = await startDiasHarness('tilelost', ['jobs', 'tile-reduce', 'finalize', 'reconcile'], {
    EOFN_MIN_PARTITIONS: String(fixture.inputs.partitions), EOFN_PLAN_FAN_OUT_TILES: '2',
    // Short leases: a lost call is due again after 4 s, so the reconciler's passes come quickly.
    EOFN_LEASE_SECONDS: '4', EOFN_DISPATCH_TIMEOUT_SECONDS: '4', EOFN_MAX_ATTEMPTS: '3',
  }, {}, {
    runPartition: async (prepared, partition) => {
      const out = await runPartition(prepared, partition);
      const key = `${prepared.job.id}/${partition.id}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
      return out;
    },
  });
  for (const file of fixture.inputs.files) await dias.put('eodata', `fan/${file}`, await readFile(join(fixture.inputs.dir, file)));
}, 120_000);

afterAll(async () => {
  await dias?.close();
});

/** Submits the job through the gateway and runs the reconciler every second until the job is final. */
async function runUntilFinal(jobId: string, submit = true): Promise<string> {
  if (submit) {
    const res = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, {
      method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job: fixture.inputs.job('s3://eodata/fan', `s3://results/${jobId}`, jobId) }),
    });
    expect(res.status).toBe(202);
  }
  const deadline = Date.now() + 90_000;
  for (;;) {
    const p = await dias.store.progress(jobId);
    if (p?.status === 'FAILED' || (p?.status === 'SUCCEEDED' && p.finalizeState === 'DONE')) {
      await dias.gateway.idle();
      return p.status;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not settle: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 1000));
    await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST', headers: dias.headers }).then((r) => r.arrayBuffer());
  }
}

/** A delivery that reaches a function which takes its tile and dies (a timeout, out of memory, a crash). */
async function dies(body: { jobId: string; tile: string }): Promise<'drop'> {
  await dias.store.startPlanTile(body.jobId, body.tile);
  return 'drop';
}

const planTileCalls = (jobId: string) => dias.gateway.calls.filter((c) => c.fn === 'eofn-jobs' && c.body.kind === 'plan-tile' && c.body.jobId === jobId);

async function assessProducts(jobId: string): Promise<void> {
  registerLocalStorages();
  for (const key of fixture.inputs.products) {
    expect(Buffer.from(await dias.get('results', `${jobId}/${key}`)).equals(fixture.reference[key]), key).toBe(true);
  }
  const mine = [...runs].filter(([k]) => k.startsWith(`${jobId}/`));
  expect(mine).toHaveLength(fixture.inputs.partitions);
  expect(mine.every(([, n]) => n === 1)).toBe(true);
}

describe('a fanned-out DIAS job whose plan-tile calls are lost or die', () => {
  it('sends a lost call and one whose function died again: every tile planned once, every partition once, the products of eofn run', async () => {
    // Prepare: the first call of 33TWM is lost on the way; the first of 33TXM dies planning
    const jobId = 'tile-lost';
    const deliveries: Record<string, number> = {};
    dias.gateway.intercept(async (_fn, body) => {
      if (body?.kind !== 'plan-tile' || body.jobId !== jobId) return 'deliver';
      deliveries[body.tile] = (deliveries[body.tile] ?? 0) + 1;
      if (deliveries[body.tile] > 1) return 'deliver';
      if (body.tile === '33TWM') return 'drop';
      if (body.tile === '33TXM') return dies(body);
      return 'deliver';
    });

    // Act
    const status = await runUntilFinal(jobId);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(deliveries).toEqual({ '33TWM': 2, '33TXM': 2, '33TYM': 1 });
    const planned = planTileCalls(jobId).filter((c) => c.response?.outcome === 'planned' && c.response.changed).map((c) => c.body.tile);
    expect(planned.sort()).toEqual(TILES);
    expect(await dias.store.status(jobId)).toMatchObject({ status: 'SUCCEEDED', total: fixture.inputs.partitions, done: fixture.inputs.partitions, failed: 0, tiles: { planned: 3, total: 3 } });
    expect(dias.gateway.calls.filter((c) => c.fn === 'eofn-finalize' && c.body.jobId === jobId && c.status === 200 && c.response?.assets)).toHaveLength(1);
    expect((await dias.store.pool.query('SELECT count(*)::int AS n FROM tile_dispatch WHERE job_id = $1', [jobId])).rows[0].n).toBe(0);
    await assessProducts(jobId);
  }, 120_000);

  it('fails the job naming a tile whose every call dies, and redrive after the fix finishes it', async () => {
    // Prepare: every call of 33TYM dies until fixed
    const jobId = 'tile-dead';
    let broken = true;
    const deliveries: Record<string, number> = {};
    dias.gateway.intercept(async (_fn, body) => {
      if (body?.kind !== 'plan-tile' || body.jobId !== jobId) return 'deliver';
      deliveries[body.tile] = (deliveries[body.tile] ?? 0) + 1;
      return broken && body.tile === '33TYM' ? dies(body) : 'deliver';
    });
    const cli = createDiasBackend({ ...dias.env, EOFN_DATABASE_URL: '', OPENFAAS_URL: dias.gateway.url });

    // Act
    const first = await runUntilFinal(jobId);
    const failed = await cli.status(jobId);
    const record = JSON.parse(new TextDecoder().decode(await dias.get('results', `${jobId}/job.json`)));
    broken = false;
    const redriven = await cli.redrive(jobId);
    const second = await runUntilFinal(jobId, false);

    // Assess: FAILED after 3 attempts at the tile, with the reason, in `eofn status` and job.json
    expect(first).toBe('FAILED');
    expect(failed).toMatchObject({ status: 'FAILED', tiles: { planned: 2, total: 3 } });
    expect(failed!.errors).toEqual([expect.stringMatching(/^plan-tile for tile 33TYM did not complete in 3 attempt\(s\): the function timed out, ran out of memory or crashed \(see the eofn-jobs log\); `eofn redrive tile-dead --backend dias` sends it again$/)]);
    expect(record).toMatchObject({ status: 'FAILED', errors: failed!.errors });
    // … and redriven, it ends as without loss
    expect(redriven).toEqual({ partitions: 0, tiles: 1, merge: false, submission: false });
    expect(deliveries['33TYM']).toBe(4);
    expect(second).toBe('SUCCEEDED');
    expect(await dias.store.status(jobId)).toMatchObject({ status: 'SUCCEEDED', done: fixture.inputs.partitions, failed: 0, errors: [], tiles: { planned: 3, total: 3 } });
    expect(dias.gateway.calls.filter((c) => c.fn === 'eofn-finalize' && c.body.jobId === jobId && c.status === 200 && c.response?.assets)).toHaveLength(1);
    await assessProducts(jobId);
  }, 150_000);
});
