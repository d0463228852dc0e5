/**
 * Trust boundaries of the DIAS functions (issue 10): every call needs the deployment's call token, a
 * partition message runs only what the job's record planned (never the prepared job, window or output it
 * names), and a different job under a known id is a 409 conflict.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { hugeGridJob } from '../../helpers/hostileInputs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

let dias: DiasHarness;
let demoJob: Record<string, unknown>;

function diasJob(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...demoJob, id, items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: `s3://results/${id}`, ...extra };
}

async function post(url: string, body: unknown, headers: Record<string, string> = dias.headers): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function exists(bucket: string, key: string): Promise<boolean> {
  return dias.get(bucket, key).then(() => true, () => false);
}

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  dias = await startDiasHarness('trust', ['jobs', 'tile-reduce', 'finalize', 'reconcile']);
});

afterAll(async () => dias?.close());

describe('DIAS functions accept only planned work from callers holding the call token', () => {
  it('refuses a call without the token or with a wrong one, before reading its body', async () => {
    // Act
    const none = await post(dias.urls['tile-reduce'], { kind: 'partition', jobId: 'x', op: 'tile-reduce', partition: { id: 'y' } }, {});
    const wrong = await post(dias.urls.jobs, { kind: 'job', job: diasJob('never') }, { 'x-eofn-token': `${dias.token}0` });
    const cron = await post(dias.urls.reconcile, {}, {});
    // A Ceph RGW push endpoint cannot set headers: the token may ride in the query string.
    const byQuery = await post(`${dias.urls['tile-reduce']}/?token=${dias.token}`, { kind: 'partition', jobId: 'x', op: 'tile-reduce', partition: { id: 'y' } }, {});
    // Assess
    expect(none).toEqual({ status: 401, body: { error: expect.stringMatching(/call token/) } });
    expect(wrong.status).toBe(401);
    expect(await dias.store.status('never')).toBeUndefined();
    // The reconciler takes no input: the cron connector (which sends no headers) may trigger it.
    expect(cron.status).toBe(200);
    expect(byQuery).toMatchObject({ status: 200, body: { skipped: expect.stringMatching(/not pending/) } });
  });

  it('runs the partition the job planned even when the message names another prepared job, window and output', async () => {
    // Prepare: the job's partitions are held back; an attacker stores a prepared job of its own
    const held: any[] = [];
    dias.gateway.intercept((fn, body) => (fn === 'eofn-tile-reduce' ? (held.push(body), 'drop') : 'deliver'));
    expect((await post(`${dias.gateway.url}/async-function/eofn-jobs`, { kind: 'job', job: diasJob('victim') })).status).toBe(202);
    await dias.gateway.idle();
    dias.gateway.intercept(undefined);
    const stored = JSON.parse(new TextDecoder().decode(await dias.get('results', 'victim/_eofn/prepared.json')));
    stored.prepared.setup.expression = '0 * nir + 42';
    stored.prepared.outputHref = 's3://results/stolen';
    await dias.put('results', 'evil/prepared.json', JSON.stringify(stored));
    const first = held[0];

    // Act: a forged message for the victim's pending partition, then the held messages
    const forged = await post(dias.urls['tile-reduce'], {
      ...first, preparedRef: 's3://results/evil/prepared.json', partition: { ...first.partition, window: { x: 0, y: 0, width: 9999, height: 9999 } },
    });
    for (const body of held.slice(1)) await post(dias.urls['tile-reduce'], body);
    await dias.gateway.idle();

    // Assess: the forged call ran the planned partition; the product is the real one; nothing went to the attacker's output
    expect(forged).toMatchObject({ status: 200, body: { jobId: 'victim', partition: first.partition.id } });
    expect(held.every((m) => Object.keys(m).sort().join() === 'jobId,kind,op,partition' && Object.keys(m.partition).join() === 'id')).toBe(true);
    expect(await dias.store.status('victim')).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(await exists('results', 'stolen/_parts/' + first.partition.id + '.part')).toBe(false);
    const reference = await post(`${dias.gateway.url}/function/eofn-jobs`, { kind: 'job', job: diasJob('victim-twin') });
    await dias.gateway.idle();
    expect(reference.status).toBe(200);
    expect(Buffer.from(await dias.get('results', 'victim/result.tif')).equals(Buffer.from(await dias.get('results', 'victim-twin/result.tif')))).toBe(true);
  });

  it('dead-letters a partition whose prepared job changed after planning', async () => {
    // Prepare
    const held: any[] = [];
    dias.gateway.intercept((fn, body) => (fn === 'eofn-tile-reduce' ? (held.push(body), 'drop') : 'deliver'));
    await post(`${dias.gateway.url}/async-function/eofn-jobs`, { kind: 'job', job: diasJob('swapped') });
    await dias.gateway.idle();
    dias.gateway.intercept(undefined);
    const text = new TextDecoder().decode(await dias.get('results', 'swapped/_eofn/prepared.json'));
    await dias.put('results', 'swapped/_eofn/prepared.json', text.replace('(nir - red) / (nir + red)', '0 * nir + 42     '));
    // Act
    const out = await post(dias.urls['tile-reduce'], held[0]);
    // Assess
    expect(out.status).toBe(500);
    expect(out.body).toMatchObject({ permanent: true, dead: true, error: expect.stringMatching(/does not match the one recorded/) });
  });

  it('refuses the 1e-9 m grid job with the numbers before any partition exists', async () => {
    // Act
    const out = await post(dias.urls.jobs, { kind: 'job', job: { ...hugeGridJob([`s3://eodata/s2/${SAMPLE_ITEM_IDS[0]}/${SAMPLE_ITEM_IDS[0]}.json`], 's3://results/huge'), id: 'huge' } });
    // Assess
    expect(out).toMatchObject({ status: 400, body: { problems: [expect.stringMatching(/pixels, more than the limit of 1,000,000,000/)] } });
    expect(await dias.store.status('huge')).toMatchObject({ status: 'INVALID', total: 0 });
  });

  it('answers 409 to a different job under a known id, and the known job to the same job', async () => {
    // Prepare
    await post(`${dias.gateway.url}/function/eofn-jobs`, { kind: 'job', job: diasJob('taken') });
    await dias.gateway.idle();
    // Act
    const same = await post(dias.urls.jobs, { kind: 'job', job: diasJob('taken') });
    const other = await post(dias.urls.jobs, { kind: 'job', job: diasJob('taken', { output: 's3://results/someone-else' }) });
    // Assess
    expect(same).toMatchObject({ status: 200, body: { jobId: 'taken', created: false } });
    expect(other).toMatchObject({ status: 409, body: { jobId: 'taken', error: expect.stringMatching(/taken by a different job/) } });
  });
});
