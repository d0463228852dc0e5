/**
 * New Earth Search items reach the deployment through its SNS topic: messages carry the STAC item and the
 * attributes Cirrus publishes (`collection`, `datetime`, `bbox.*`, `cloud_cover`, `status`). The topic and the
 * subscription are emulated by fauxqs with the filter policy the stack deploys for aws-us-west-2 (derived
 * from its arrival rules), so the emulator evaluates the policy against each message's attributes; what
 * passes is handed to the arrivals handler as Lambda's SNS event source would, and the job it starts runs
 * through the jobs, op and finalize queues to the same product as `eofn run` on the same item. A job whose
 * items are a search that fails (500, garbage, nothing, too much) is recorded INVALID, naming the URL.
 *
 * The Collection 1 item is a real `sentinel-2-c1-l2a` item from Earth Search (recorded, see
 * test/fixtures/stac-api) moved onto the sample data: id, footprint, date and cloud cover of the sample
 * 33TWM date, and its red/nir/scl assets pointing at the sample COGs in the emulated bucket.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SubscribeCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { createArrivalsHandler } from '../../../functions/adapters/lambda/arrivalsHandler.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { arrivalFilterPolicy } from '../../../functions/core/arrivals/arrivalFilterPolicy.ts';
import { jobsForArrival } from '../../../functions/core/arrivals/arrivalRules.ts';
import { registerStorage, setPolicy } from '../../../functions/core/io/storage.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { loadProviderConfig } from '../../../infra/providerConfig.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { drain } from '../../helpers/awsEventSource.ts';
import { recorded, startRecordedStacApi, type RecordedStacApi } from '../../helpers/recordedStacApi.ts';
import { createQueueSender } from '../../../functions/adapters/lambda/queueSender.ts';
import { pollOnce } from '../../helpers/awsEventSource.ts';
import { sampleItemPath } from '../../helpers/sampleJobs.ts';
import { failedKeys } from '../../helpers/snsFilterPolicy.ts';

const OP = 'tile-reduce';
const SAMPLE_ID = 'S2B_33TWM_20230813_0_L2A';
const C1_ID = 'S2B_T33TWM_20230813T100559_L2A';
const RULES = loadProviderConfig('aws-us-west-2').arrivalRules;

let aws: AwsTestEnv;
let arrivalsQueueUrl: string;
let topicArn: string;
let c1Item: any;
let api: RecordedStacApi;

/** The real C1 item, moved onto the sample date's footprint and pixels (see the file comment). */
async function c1ItemOnSampleData(bucket: string): Promise<any> {
  const real = recorded('earth-search-v1/search_filter_page1_POST.json').features
    .find((f: { collection: string }) => f.collection === 'sentinel-2-c1-l2a');
  const sample = JSON.parse(await readFile(sampleItemPath(SAMPLE_ID), 'utf8'));
  const assets = Object.fromEntries(['red', 'nir', 'scl'].map((key) => [key, {
    ...real.assets[key], href: `s3://${bucket}/sample-data/s2-l2a-33TWM/${SAMPLE_ID}/${sample.assets[key].href.replace('./', '')}`,
    'proj:shape': sample.assets[key]['proj:shape'], 'proj:transform': sample.assets[key]['proj:transform'],
  }]));
  const { 'proj:code': _code, ...realProps } = real.properties;
  return {
    ...real, id: C1_ID, bbox: sample.bbox, geometry: sample.geometry, assets,
    properties: { ...realProps, ...sample.properties, 's2:processing_baseline': '05.09' },
    links: [{ rel: 'self', href: `s3://${bucket}/earth-search/sentinel-2-c1-l2a/${C1_ID}.json`, type: 'application/geo+json' }],
  };
}

/** The attributes Cirrus publishes with an item (Earth Search README, "SNS Notifications of Items"). */
function cirrusAttributes(item: any, status: 'created' | 'updated' = 'created'): Record<string, MessageAttributeValue> {
  const [llLon, llLat, urLon, urLat] = item.bbox;
  const str = (v: string) => ({ DataType: 'String', StringValue: v });
  const num = (v: number) => ({ DataType: 'Number', StringValue: String(v) });
  return {
    collection: str(item.collection), datetime: str(item.properties.datetime),
    start_datetime: str(item.properties.start_datetime ?? item.properties.datetime), end_datetime: str(item.properties.end_datetime ?? item.properties.datetime),
    'bbox.ll_lon': num(llLon), 'bbox.ll_lat': num(llLat), 'bbox.ur_lon': num(urLon), 'bbox.ur_lat': num(urLat),
    ...(typeof item.properties['eo:cloud_cover'] === 'number' ? { cloud_cover: num(item.properties['eo:cloud_cover']) } : {}),
    status: str(status),
  };
}

async function uploadTree(dir: string, prefix: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `${prefix}/${relative(dir, path)}`, Body: await readFile(path) }));
  }
}

/** Lambda's SNS event source: each delivered SNS notification becomes one record of an SNSEvent. */
async function receiveAsSnsEvent(): Promise<SNSEvent> {
  const out = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: arrivalsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return {
    Records: (out.Messages ?? []).map((m) => {
      const n = JSON.parse(m.Body!);
      return {
        EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: `${topicArn}:sub`,
        Sns: { ...n, MessageAttributes: n.MessageAttributes ?? {} },
      };
    }),
  } as SNSEvent;
}

beforeAll(async () => {
  api = await startRecordedStacApi();
  aws = await startAwsEmulators({ ops: [OP], visibilityTimeout: 1 });
  aws.config.opMemoryMb[OP] = 161;
  aws.config.arrivalRules = RULES;
  await uploadTree(join(import.meta.dirname, '../../../sample-data/s2-l2a-33TWM'), 'sample-data/s2-l2a-33TWM');
  c1Item = await c1ItemOnSampleData(aws.bucket);
  await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `earth-search/sentinel-2-c1-l2a/${C1_ID}.json`, Body: JSON.stringify(c1Item) }));

  // Earth Search's topic and the deployment's subscription to it, with the stack's filter policy.
  topicArn = (await aws.sns.send(new CreateTopicCommand({ Name: `cirrus-es-prod-publish-${Date.now()}` }))).TopicArn!;
  arrivalsQueueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: `arrivals-${Date.now()}` }))).QueueUrl!;
  const queueArn = (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: arrivalsQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await aws.sns.send(new SubscribeCommand({
    TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn,
    Attributes: { FilterPolicy: JSON.stringify(arrivalFilterPolicy(RULES)), FilterPolicyScope: 'MessageAttributes' },
  }));
  // The recorded STAC APIs answer on loopback http: named as the only plain-http host, as an operator would.
  useCloudStorages(new S3Storage(aws.s3), { ...process.env, EOFN_ALLOWED_HTTP_HOSTS: '127.0.0.1' });
  registerStorage('file', new FileStorage());
});

afterAll(async () => {
  await aws?.stop();
  await api?.close();
});

describe('Earth Search SNS arrivals (emulated topic with the deployed filter policy)', () => {
  it('lets only the matching Collection 1 item through, and its job runs to the same product as eofn run', async () => {
    // Prepare: the item, and what Earth Search also publishes that must not invoke anything.
    const page1 = recorded('earth-search-v1/search_filter_page1_POST.json').features;
    const elsewhere = page1.find((f: any) => f.collection === 'sentinel-2-c1-l2a' && f.id !== c1Item.id);
    const radar = page1.find((f: any) => f.collection === 'sentinel-1-grd');
    const cloudy = { ...c1Item, id: 'S2B_T33TWM_20230813T100559_L2A_cloudy', properties: { ...c1Item.properties, 'eo:cloud_cover': 71.5 } };
    const messages = [
      { item: c1Item, attrs: cirrusAttributes(c1Item) },
      { item: c1Item, attrs: cirrusAttributes(c1Item, 'updated') },
      { item: elsewhere, attrs: cirrusAttributes(elsewhere) },
      { item: radar, attrs: cirrusAttributes(radar) },
      { item: cloudy, attrs: cirrusAttributes(cloudy) },
    ];
    const deps = awsTestDeps(aws);
    const arrivals = createArrivalsHandler(deps);

    // Act
    for (const m of messages) {
      await aws.sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(m.item), MessageAttributes: m.attrs }));
    }
    const event = await receiveAsSnsEvent();
    const started = await arrivals(event);
    await drain(aws.sqs, [
      [aws.config.jobsQueueUrl, createJobsHandler(deps)], [aws.config.opQueues[OP], createOpHandler(deps)],
      [aws.config.finalizeQueueUrl, createFinalizeHandler(deps)],
    ]);

    // Assess: the policy passed the created C1 item only (not its update, not another tile, not S1, not too
    // cloudy), as the policy evaluated here says, key by key, and as the emulator delivered.
    const policy = arrivalFilterPolicy(RULES)!;
    expect(messages.map((m) => failedKeys(policy as never, m.attrs))).toEqual([
      [], ['status'], ['bbox.ll_lon', 'bbox.ll_lat'], ['collection', 'cloud_cover', 'bbox.ll_lon', 'bbox.ll_lat'], ['cloud_cover'],
    ]);
    expect(event.Records.map((r) => JSON.parse(r.Sns.Message).id)).toEqual([C1_ID]);
    expect(event.Records[0].Sns.MessageAttributes.collection).toEqual({ Type: 'String', Value: 'sentinel-2-c1-l2a' });
    expect(started.jobs).toEqual([`ndvi-33twm-c1-${C1_ID}`]);
    const status = await deps.store.getJob(started.jobs[0]);
    expect(status).toMatchObject({ status: 'SUCCEEDED' });

    // The same job, run on this machine from the same item, gives the same bytes.
    const [job] = jobsForArrival({ item: c1Item }, RULES);
    const localDir = await mkdtemp(join(tmpdir(), 'eofn-es-ref-'));
    try {
      const output = `products/ndvi-33twm-c1/33TWM/2023-08-13/${C1_ID}`;
      const remote = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: `${output}/result.tif` }));
      const remoteBytes = Buffer.from(await remote.Body!.transformToByteArray());
      setPolicy({ allowFile: true }); // the reference run writes to a local folder; inputs stay in the emulated bucket
      await runJobLocally({ job: { raw: { ...job, id: undefined } }, output: localDir, workers: 1, quiet: true });
      expect(remoteBytes.equals(await readFile(join(localDir, 'result.tif')))).toBe(true);
    } finally {
      setPolicy({ allowFile: false, allowedHttpHosts: ['127.0.0.1'] });
      await rm(localDir, { recursive: true, force: true });
    }
  });

});

describe('search jobs on AWS whose search fails', () => {
  it.each([
    ['an API answering 500', '/broken/500', /STAC API search failed \(page 1\): .*\/broken\/500\/search: request failed after 3 attempts: HTTP 500/],
    ['garbage', '/broken/garbage', /\/broken\/garbage\/search \(page 1\) answered with something that is not JSON/],
    ['no items', '/broken/empty', /the search at .*\/broken\/empty\/search found no items/],
    ['more than maxItems', '/earth-search/v1', /found 115912757 items, over maxItems \(10\)/],
  ])('records a search job INVALID when the search meets %s, naming the URL, and consumes the message', async (_, path, expected) => {
    // Prepare
    const id = `search-${path.replace(/\W+/g, '-')}`;
    const filter = recorded('earth-search-v1/search_filter_requests.json').page1.request_body.filter;
    const job = { id, op: OP, items: { search: { url: `${api.url}${path}`, filter, maxItems: 10 } },
      params: { expression: 'nir', reducer: 'max' }, output: `s3://${aws.bucket}/products/${id}` };
    const deps = awsTestDeps(aws);
    await createQueueSender(aws.sqs)(aws.config.jobsQueueUrl, [{ kind: 'job', job }]);
    // Act
    while (await pollOnce(aws.sqs, aws.config.jobsQueueUrl, createJobsHandler(deps)));
    // Assess
    const record = await deps.store.getJob(id);
    expect(record).toMatchObject({ status: 'INVALID' });
    expect(record!.errors).toEqual([expect.stringMatching(expected)]);
    expect(record!.errors[0]).toContain(`${api.url}${path}`);
    expect(record!.errors[0]).not.toContain('SECRET-TOKEN');
  });
});
