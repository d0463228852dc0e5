/**
 * Every op through the AWS pipeline (emulated), each product byte for byte the one `eofn run` makes from the
 * same job: the sample composite (float32, nodata NaN: the prepared job must carry NaN exactly), coherence
 * merge, parcel aggregation (Parquet) and NDVI. The STAC item's assets (nodata included) must match too, and
 * the scratch under each output must be gone, and so must a file of the dataset an earlier plan left in `table/`.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { drain } from '../../helpers/awsEventSource.ts';

const ROOT = join(import.meta.dirname, '../../..');
const JOBS = { composite: 'composite-demo', 'coherence-merge': 'coherence-demo', 'parcel-aggregate': 'parcels-demo', 'tile-reduce': 'ndvi-demo' };

let aws: AwsTestEnv;
let localDir: string;

async function s3Bytes(key: string): Promise<Buffer> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: Object.keys(JOBS), visibilityTimeout: 30 });
  for (const dir of ['sample-data', 'test/fixtures/parcels']) {
    for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: relative(ROOT, path), Body: await readFile(path) }));
    }
  }
  registerLocalStorages();
  localDir = await mkdtemp(join(tmpdir(), 'eofn-aws-ops-'));
  for (const name of Object.values(JOBS)) {
    await runJobLocally({ jobHref: join(ROOT, 'sample-data/jobs', `${name}.json`), output: join(localDir, name), workers: 1, quiet: true });
  }
  useCloudStorages(new S3Storage(aws.s3));
});

afterAll(async () => {
  await aws?.stop();
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

describe('every op on AWS (emulated) gives the product eofn run gives', () => {
  it.each(Object.entries(JOBS))('%s', async (op, name) => {
    // Prepare
    const deps = awsTestDeps(aws);
    const backend = createAwsBackend(aws.config, deps.store, deps.send);
    const handlers: Parameters<typeof drain>[1] = [
      [aws.config.jobsQueueUrl, createJobsHandler(deps)],
      [aws.config.opQueues[op], createOpHandler(deps)],
      [aws.config.finalizeQueueUrl, createFinalizeHandler(deps)],
    ];

    const output = `sample-data/jobs/out/${name}`;
    // An earlier run's plan left a partition file the new plan does not make: the finalize deletes it.
    const stale = `${output}/table/r09999-c09999-1x1.parquet`;
    if (op === 'parcel-aggregate') await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: stale, Body: await readFile(join(localDir, name, 'preview.png')) }));

    // Act
    const jobId = await backend.submit(`s3://${aws.bucket}/sample-data/jobs/${name}.json`);
    await drain(aws.sqs, handlers, 120_000);
    const status = await backend.status(jobId);

    // Assess
    expect(status).toMatchObject({ status: 'SUCCEEDED', failed: 0 });
    const local = join(localDir, name);
    const localItem = JSON.parse(await readFile(join(local, 'item.json'), 'utf8'));
    // parcel-aggregate's product is a dataset: the files its item lists, one per partition.
    const products = op === 'parcel-aggregate' ? (localItem.assets.data['eofn:files'] as string[]).map((f) => f.replace(/^\.\//, '')) : ['result.tif'];
    for (const file of [...products, 'preview.png']) {
      expect((await s3Bytes(`${output}/${file}`)).equals(await readFile(join(local, file))), file).toBe(true);
    }
    const item = JSON.parse((await s3Bytes(`${output}/item.json`)).toString());
    expect(item.assets).toEqual(localItem.assets);
    expect(item.properties).toEqual(localItem.properties);
    const left = (await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `${output}/` }))).Contents!.map((o) => o.Key!.slice(output.length + 1));
    // Only what `eofn run` leaves: the product files and job.json, no scratch, no stale file of the dataset.
    const files = (await readdir(local, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(local, join(e.parentPath, e.name)));
    expect(left.sort()).toEqual(files.sort());
  }, 120_000);
});
