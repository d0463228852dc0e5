/**
 * The synthesized stack as a user deploys it, in moto's CloudFormation: its queues (with their DLQ redrive
 * policies), tables (with the sweep index), buckets and topics are created from the template itself, and the
 * handlers, bundled by esbuild with the stack's settings as `cdk synth` bundles them, run against the stack's
 * real resource names, which they find only in their environment. moto runs no Lambda code without Docker,
 * so the functions, their roles, event source mappings, alarms and custom resources are left out of what is
 * deployed; this process stands in for Lambda's event source mapping.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { EofnStack } from '../../../infra/eofnStack.ts';
import { loadProviderConfig } from '../../../infra/providerConfig.ts';
import { namesToEnv, type DeploymentNames } from '../../../functions/adapters/lambda/config.ts';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { drain, type SqsHandler } from '../../helpers/awsEventSource.ts';
import { MOTO_MISSING, startMoto } from '../../helpers/motoServer.ts';

const ROOT = join(import.meta.dirname, '../../..');
/** What moto's CloudFormation deploys here: the data plane the handlers talk to. */
const DEPLOYED = new Set(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::DynamoDB::Table', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy']);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

let moto: Awaited<ReturnType<typeof startMoto>>;
let physical: Record<string, string>;
let deployedTemplate: Record<string, any>;
let bundles: string;

describe.skipIf(!!MOTO_MISSING)(`the synthesized stack in moto's CloudFormation${MOTO_MISSING ? ` (skipped: ${MOTO_MISSING})` : ''}`, () => {
  let stack: EofnStack;

  beforeAll(async () => {
    moto = await startMoto();
    const config = { ...loadProviderConfig('localstack'), retainData: true };
    stack = new EofnStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'eofn-moto', { config, env: { region } });
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.fromEntries(Object.entries(template.Resources as Record<string, any>).filter(([, r]) => DEPLOYED.has(r.Type)));
    for (const r of Object.values(resources)) delete r.DependsOn;
    deployedTemplate = { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
    const cfn = new CloudFormationClient({ endpoint: moto.url, region, credentials });
    await cfn.send(new CreateStackCommand({ StackName: 'eofn-moto', TemplateBody: JSON.stringify(deployedTemplate) }));
    for (let i = 0; i < 100; i++) {
      const status = (await cfn.send(new DescribeStacksCommand({ StackName: 'eofn-moto' }))).Stacks?.[0]?.StackStatus;
      if (status === 'CREATE_COMPLETE') break;
      if (status?.endsWith('FAILED') || status?.startsWith('ROLLBACK')) throw new Error(`stack ${status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const described = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'eofn-moto' }));
    physical = Object.fromEntries((described.StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
    cfn.destroy();

    // The handlers as `cdk synth` bundles them: esbuild, ESM, the stack's settings defined into the code.
    const { build } = await import('esbuild');
    bundles = await mkdtemp(join(tmpdir(), 'eofn-moto-bundles-'));
    await build({
      entryPoints: ['jobs', 'op', 'finalize', 'dead-letters'].map((e) => join(ROOT, 'functions/adapters/lambda/entries', `${e}.ts`)),
      outdir: bundles, bundle: true, format: 'esm', platform: 'node', target: 'node22', outExtension: { '.js': '.mjs' },
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      define: { EOFN_BUNDLED_SETTINGS: JSON.stringify(stack.settings) }, logLevel: 'error',
    });
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    if (bundles) await rm(bundles, { recursive: true, force: true });
  });

  it('creates every queue with its DLQ and maxReceiveCount, the tables and the buckets from the template', async () => {
    // Prepare
    const sqs = new SQSClient({ endpoint: moto.url, region, credentials });
    const queueIds = Object.keys(deployedTemplate.Resources).filter((id) => deployedTemplate.Resources[id].Type === 'AWS::SQS::Queue');
    // Act
    const redrives = await Promise.all(queueIds.map(async (id) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: physical[id], AttributeNames: ['RedrivePolicy'] }))).Attributes?.RedrivePolicy));
    // Assess: jobs, finalize and four ops with a DLQ each, plus the arrivals DLQ
    const policies = redrives.filter(Boolean).map((p) => JSON.parse(p!));
    expect(policies).toHaveLength(6);
    for (const p of policies) expect(Number(p.maxReceiveCount)).toBe(5);
    expect(queueIds).toHaveLength(13);
    sqs.destroy();
  });

  it('runs a job with the bundled handlers against the stack\'s resource names, to the product of eofn run', async () => {
    // Prepare: the environment the stack gives every function, with the deployed names
    const id = (prefix: string, type: string) => Object.keys(deployedTemplate.Resources).find((k) => k.startsWith(prefix) && deployedTemplate.Resources[k].Type === type)!;
    const bucket = physical[id('Data', 'AWS::S3::Bucket')];
    const names: DeploymentNames = {
      tableName: physical[id('Jobs', 'AWS::DynamoDB::Table')], idempotencyTableName: physical[id('Idempotency', 'AWS::DynamoDB::Table')],
      jobsQueueUrl: physical[id('JobsStageQueue', 'AWS::SQS::Queue')], finalizeQueueUrl: physical[id('FinalizeStageQueue', 'AWS::SQS::Queue')],
      opQueues: { 'tile-reduce': physical[id('Optilereduce', 'AWS::SQS::Queue')] },
      completionTopicArn: physical[id('Completed', 'AWS::SNS::Topic')], stagingPrefix: `s3://${bucket}/staging`,
    };
    Object.assign(process.env, namesToEnv(names), {
      EOFN_ALLOWED_BUCKETS: bucket, AWS_ENDPOINT_URL: moto.url, AWS_REGION: region, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true',
      // The one op entry serves the op its function is deployed for (the stack sets EOFN_OP per function).
      EOFN_OP: 'tile-reduce',
    });
    const s3 = new S3Client({ endpoint: moto.url, region, credentials, forcePathStyle: true });
    for (const entry of await readdir(join(ROOT, 'sample-data'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/s2-l2a-33TWM|jobs/.test(entry.parentPath)) continue;
      const path = join(entry.parentPath, entry.name);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: relative(ROOT, path), Body: await readFile(path) }));
    }
    const handler = async (entry: string): Promise<SqsHandler> => (await import(pathToFileURL(join(bundles, `${entry}.mjs`)).href)).handler;
    const consumers: [string, SqsHandler][] = [
      [names.jobsQueueUrl, await handler('jobs')], [names.opQueues['tile-reduce'], await handler('op')], [names.finalizeQueueUrl, await handler('finalize')],
    ];
    const sqs = new SQSClient({ endpoint: moto.url, region, credentials });
    const local = await mkdtemp(join(tmpdir(), 'eofn-moto-ref-'));
    registerLocalStorages();
    await runJobLocally({ jobHref: join(ROOT, 'sample-data/jobs/ndvi-demo.json'), output: local, workers: 1, quiet: true });

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: names.jobsQueueUrl, MessageBody: JSON.stringify({ kind: 'job', jobRef: `s3://${bucket}/sample-data/jobs/ndvi-demo.json` }) }));
    await drain(sqs, consumers, 120_000);

    // Assess
    const product = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'sample-data/jobs/out/ndvi-demo/result.tif' }));
    expect(Buffer.from(await product.Body!.transformToByteArray()).equals(await readFile(join(local, 'result.tif')))).toBe(true);
    const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'sample-data/jobs/out/ndvi-demo/job.json' }))).Body!.transformToString());
    expect(record.status).toBe('SUCCEEDED');
    const left = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'sample-data/jobs/out/ndvi-demo/' }))).Contents!.map((o) => o.Key!.split('/').pop());
    expect(left.sort()).toEqual(['item.json', 'job.json', 'preview.png', 'result.tif']);
    await rm(local, { recursive: true, force: true });
    s3.destroy();
    sqs.destroy();
  }, 180_000);
});
