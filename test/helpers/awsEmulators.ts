/**
 * AWS for tests: in-process emulators (fauxqs for S3/SQS/SNS, dynalite for DynamoDB) on free ports, or
 * LocalStack (or any endpoint) when `AWS_ENDPOINT_URL` is set. Either way the resources are created through
 * the real AWS SDK over HTTP, with the same settings the CDK stack gives them (DLQs with maxReceiveCount).
 *
 * @example
 * const aws = await startAwsEmulators({ ops: ['tile-reduce'] });
 * // … aws.config, aws.doc, aws.sqs …
 * await aws.stop();
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startFauxqs } from 'fauxqs';
// @ts-expect-error dynalite ships no type declarations
import dynalite from 'dynalite';
import { s3Client } from '../../functions/adapters/shared/awsClients.ts';
import { documentClient, dynamoClient, snsClient, sqsClient } from '../../functions/adapters/shared/awsServiceClients.ts';
import type { DeploymentConfig } from '../../functions/adapters/lambda/config.ts';
import { SWEEP_INDEX } from '../../functions/adapters/lambda/jobStore.ts';

export interface AwsTestEnv {
  config: DeploymentConfig;
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Bucket for inputs and outputs; `dlqUrls` by queue name; a queue subscribed to the completion topic. */
  bucket: string;
  dlqUrls: Record<string, string>;
  completionsQueueUrl: string;
  /** True when the tests run against an external endpoint (LocalStack, moto). */
  external: boolean;
  /** Where the services listen, for handlers started in another thread or process. */
  endpoints: { s3: string; sqs: string; dynamo: string };
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

export async function startAwsEmulators(opts: { ops: string[]; maxReceiveCount?: number; visibilityTimeout?: number }): Promise<AwsTestEnv> {
  const external = process.env.AWS_ENDPOINT_URL;
  const suffix = randomBytes(4).toString('hex');
  let stopFns: (() => Promise<void>)[] = [];
  let s3Endpoint = external, queueEndpoint = external, dynamoEndpoint = external;
  if (!external) {
    const faux = await startFauxqs({ port: 0, logger: false, defaultRegion: region });
    const dyn = (dynalite as unknown as (o: object) => import('node:net').Server)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => dyn.listen(0, '127.0.0.1', resolve));
    s3Endpoint = queueEndpoint = faux.address;
    dynamoEndpoint = `http://127.0.0.1:${(dyn.address() as { port: number }).port}`;
    stopFns = [() => faux.stop(), () => new Promise<void>((r) => dyn.close(() => r()))];
  }
  const s3 = s3Client({ endpoint: s3Endpoint, region, credentials, forcePathStyle: true });
  const sqs = sqsClient({ endpoint: queueEndpoint, region, credentials });
  const sns = snsClient({ endpoint: queueEndpoint, region, credentials });
  const ddb = dynamoClient({ endpoint: dynamoEndpoint, region, credentials });

  const bucket = `eofn-test-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const maxReceiveCount = opts.maxReceiveCount ?? 5;
  const dlqUrls: Record<string, string> = {};
  const queue = async (name: string) => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq-${suffix}` }));
    dlqUrls[name] = dlq.QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const q = await sqs.send(new CreateQueueCommand({
      QueueName: `${name}-${suffix}`,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout ?? 1),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(maxReceiveCount) }),
      },
    }));
    return q.QueueUrl!;
  };
  const jobsQueueUrl = await queue('jobs');
  const finalizeQueueUrl = await queue('finalize');
  const opQueues: Record<string, string> = {};
  for (const op of opts.ops) opQueues[op] = await queue(op);

  const topic = await sns.send(new CreateTopicCommand({ Name: `eofn-completed-${suffix}` }));
  const completions = await sqs.send(new CreateQueueCommand({ QueueName: `completions-${suffix}` }));
  const completionsArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: completions.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: completionsArn, Attributes: { RawMessageDelivery: 'true' } }));

  const tableName = `eofn-jobs-${suffix}`;
  const idempotencyTableName = `eofn-idempotency-${suffix}`;
  // dynalite rejects PAY_PER_REQUEST: tests use provisioned throughput; the stack uses on-demand.
  const throughput = { ReadCapacityUnits: 100, WriteCapacityUnits: 100 };
  await ddb.send(new CreateTableCommand({
    TableName: tableName, ProvisionedThroughput: throughput,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'sweep', AttributeType: 'S' }, { AttributeName: 'sweepAt', AttributeType: 'N' },
    ],
    // The sweeper's sparse index, as the stack defines it (dynalite has no TTL: see the infra test for that).
    GlobalSecondaryIndexes: [{
      IndexName: SWEEP_INDEX, ProvisionedThroughput: throughput, Projection: { ProjectionType: 'ALL' },
      KeySchema: [{ AttributeName: 'sweep', KeyType: 'HASH' }, { AttributeName: 'sweepAt', KeyType: 'RANGE' }],
    }],
  }));
  await ddb.send(new CreateTableCommand({
    TableName: idempotencyTableName, ProvisionedThroughput: throughput,
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  }));

  const config: DeploymentConfig = {
    tableName, idempotencyTableName, jobsQueueUrl, finalizeQueueUrl, opQueues,
    opMemoryMb: Object.fromEntries(opts.ops.map((op) => [op, 1769])),
    opTimeoutSeconds: Object.fromEntries(opts.ops.map((op) => [op, 1])),
    completionTopicArn: topic.TopicArn, stagingPrefix: `s3://${bucket}/staging`, maxReceiveCount, retentionDays: 30, arrivalRules: [],
  };
  return {
    config, s3, sqs, sns, ddb, doc: documentClient(ddb), bucket, dlqUrls, completionsQueueUrl: completions.QueueUrl!,
    external: !!external,
    endpoints: { s3: s3Endpoint!, sqs: queueEndpoint!, dynamo: dynamoEndpoint! },
    async stop() {
      for (const c of [s3, sqs, sns, ddb]) c.destroy();
      for (const f of stopFns) await f();
    },
  };
}
