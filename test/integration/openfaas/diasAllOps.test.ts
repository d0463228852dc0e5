/**
 * Every op on a DIAS-like stack (fake gateway, S3 emulator, the real PostgreSQL), split into as many partitions
 * as the sample allows (NDVI: four), each product byte for byte the one `eofn run` makes from the same job: the sample composite
 * (nodata NaN, which the prepared job must carry exactly), coherence merge, parcel aggregation and NDVI. The
 * item's assets must match, and only the product files must remain under the output (a stale file of the dataset too is gone).
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const ROOT = join(import.meta.dirname, '../../..');
const JOBS = { composite: 'composite-demo', 'coherence-merge': 'coherence-demo', 'parcel-aggregate': 'parcels-demo', 'tile-reduce': 'ndvi-demo' };
let dias: DiasHarness;
let localDir: string;

beforeAll(async () => {
  // The references first: the functions run in this process and register their own storages when started.
  registerLocalStorages();
  localDir = await mkdtemp(join(tmpdir(), 'eofn-dias-ops-'));
  for (const name of Object.values(JOBS)) {
    await runJobLocally({ jobHref: join(ROOT, 'sample-data/jobs', `${name}.json`), output: join(localDir, name), workers: 1, quiet: true });
  }
  dias = await startDiasHarness('allops', ['jobs', 'finalize', 'reconcile', ...Object.keys(JOBS)] as never[]);
  for (const dir of ['sample-data', 'test/fixtures/parcels']) {
    for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await dias.put('results', relative(ROOT, join(entry.parentPath, entry.name)), await readFile(join(entry.parentPath, entry.name)));
    }
  }
}, 120_000);

afterAll(async () => {
  await dias?.close();
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

describe('every op on a DIAS gives the product eofn run gives', () => {
  it.each(Object.entries(JOBS))('%s', async (op, name) => {
    // Prepare: an earlier plan left a partition file the new plan does not make; the finalize deletes it.
    const output = `sample-data/jobs/out/${name}`;
    if (op === 'parcel-aggregate') await dias.put('results', `${output}/table/r09999-c09999-1x1.parquet`, 'stale');

    // Act
    const res = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, {
      method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', jobRef: `s3://results/sample-data/jobs/${name}.json` }),
    });
    expect(res.status).toBe(202);
    await dias.gateway.idle();
    const accepted = dias.gateway.calls.find((c) => c.fn === 'eofn-jobs' && c.body.jobRef?.endsWith(`/${name}.json`))!.response;

    // Assess
    const view = await dias.store.status(accepted.jobId);
    expect(view, JSON.stringify(accepted)).toMatchObject({ status: 'SUCCEEDED', failed: 0, op });
    expect(view!.total).toBeGreaterThanOrEqual(op === 'tile-reduce' ? 4 : 1); // the others' samples are one output block
    const local = join(localDir, name);
    const localItem = JSON.parse(await readFile(join(local, 'item.json'), 'utf8'));
    // parcel-aggregate's product is a dataset: the files its item lists, one per partition.
    const products = op === 'parcel-aggregate' ? (localItem.assets.data['eofn:files'] as string[]).map((f) => f.replace(/^\.\//, '')) : ['result.tif'];
    for (const file of [...products, 'preview.png']) {
      expect(Buffer.from(await dias.get('results', `${output}/${file}`)).equals(await readFile(join(local, file))), file).toBe(true);
    }
    const item = JSON.parse(new TextDecoder().decode(await dias.get('results', `${output}/item.json`)));
    expect(item.assets).toEqual(localItem.assets);
    expect(item.properties).toEqual(localItem.properties);
    const left = (await dias.s3.send(new ListObjectsV2Command({ Bucket: 'results', Prefix: `${output}/` }))).Contents!.map((o) => o.Key!.slice(output.length + 1));
    // Only what `eofn run` leaves: the product files and job.json, no scratch, no stale file of the dataset.
    const files = (await readdir(local, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(local, join(e.parentPath, e.name)));
    expect(left.sort()).toEqual(files.sort());
  }, 120_000);
});
