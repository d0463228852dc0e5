/**
 * The eofn deployment of one provider configuration: a data bucket (outputs, staging, arrivals), the job
 * table and the idempotency table, the `jobs`, per-op and `finalize` queues with their functions and DLQs,
 * the arrivals function (S3 ObjectCreated and configured SNS topics, filtered on the message attributes by
 * the arrival rules), and the completion topic.
 *
 * @example
 * new EofnStack(app, 'eofn-aws-eu-central-1', { config: loadProviderConfig('aws-eu-central-1') });
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { S3EventSourceV2, SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { configToEnv, type DeploymentConfig } from '../functions/adapters/lambda/config.ts';
import { arrivalFilterPolicy } from '../functions/core/arrivals/arrivalFilterPolicy.ts';
import type { ProviderConfig } from './providerConfig.ts';
import { entryFunction, QueueFunction } from './queueFunction.ts';

export interface EofnStackProps extends StackProps {
  config: ProviderConfig;
}

export class EofnStack extends Stack {
  readonly opFunctions: Record<string, QueueFunction> = {};

  constructor(scope: Construct, id: string, props: EofnStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = { architecture: config.architecture, removalPolicy, maxReceiveCount: config.maxReceiveCount };

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED, removalPolicy, autoDeleteObjects: !config.retainData,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const data = new Bucket(this, 'Data', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'data/', removalPolicy, autoDeleteObjects: !config.retainData,
      lifecycleRules: [{ prefix: 'staging/', expiration: Duration.days(14) }],
    });
    const jobsTable = new Table(this, 'Jobs', {
      partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST, encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, removalPolicy,
    });
    const idempotencyTable = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING }, timeToLiveAttribute: 'expiration',
      billingMode: BillingMode.PAY_PER_REQUEST, encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, removalPolicy: RemovalPolicy.DESTROY,
    });
    const completed = new Topic(this, 'Completed', { displayName: 'eofn job completed', enforceSSL: true });

    // Queues first: every function's environment names all of them.
    const jobs = new QueueFunction(this, 'JobsStage', { ...common, ...config.jobs, entry: 'jobs', batchSize: 10, environment: {} });
    const finalize = new QueueFunction(this, 'FinalizeStage', { ...common, ...config.finalize, entry: 'finalize', batchSize: 1, environment: {} });
    for (const [op, size] of Object.entries(config.ops)) {
      this.opFunctions[op] = new QueueFunction(this, `Op-${op}`, { ...common, ...size, entry: op, batchSize: 1, environment: {} });
    }
    const deployment: DeploymentConfig = {
      tableName: jobsTable.tableName, idempotencyTableName: idempotencyTable.tableName,
      jobsQueueUrl: jobs.queue.queueUrl, finalizeQueueUrl: finalize.queue.queueUrl,
      opQueues: Object.fromEntries(Object.entries(this.opFunctions).map(([op, f]) => [op, f.queue.queueUrl])),
      opMemoryMb: Object.fromEntries(Object.entries(config.ops).map(([op, s]) => [op, s.memoryMb])),
      completionTopicArn: completed.topicArn, stagingPrefix: `s3://${data.bucketName}/staging`,
      maxReceiveCount: config.maxReceiveCount, arrivalRules: config.arrivalRules,
    };
    const environment: Record<string, string> = {
      ...configToEnv(deployment),
      // What a job may read or write, as IAM allows it: the data bucket and the source buckets.
      EOFN_ALLOWED_BUCKETS: [data.bucketName, ...config.sourceBuckets].join(','),
      ...(config.allowedHosts ? { EOFN_ALLOWED_HOSTS: config.allowedHosts.join(',') } : {}),
    };

    const arrivalsDlq = new Queue(this, 'ArrivalsDlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    const arrivals = entryFunction(this, 'Arrivals', {
      ...common, entry: 'arrivals', memoryMb: 512, timeoutSeconds: 60, environment,
    });
    arrivals.configureAsyncInvoke({ retryAttempts: 2 });
    arrivals.addEventSource(new S3EventSourceV2(data, { events: [EventType.OBJECT_CREATED], filters: [{ prefix: config.arrivalPrefix, suffix: '.json' }] }));
    // Earth Search publishes every item of every collection: the filter policy keeps out what no rule takes,
    // so unrelated items never invoke the function (see arrivalFilterPolicy.ts).
    const policy = arrivalFilterPolicy(config.arrivalRules);
    const filterPolicy = policy && Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, new SubscriptionFilter(v)]));
    for (const [i, arn] of config.arrivalTopics.entries()) {
      arrivals.addEventSource(new SnsEventSource(Topic.fromTopicArn(this, `ArrivalTopic${i}`, arn), { deadLetterQueue: arrivalsDlq, filterPolicy }));
    }
    // Failed asynchronous invocations (S3 events) land in the same DLQ after two retries.
    (arrivals.node.defaultChild as CfnFunction).deadLetterConfig = { targetArn: arrivalsDlq.queueArn };
    arrivalsDlq.grantSendMessages(arrivals);

    // Least privilege: each function gets what its handler touches, source data read-only.
    const all = [jobs.fn, finalize.fn, arrivals, ...Object.values(this.opFunctions).map((f) => f.fn)];
    for (const fn of all) {
      for (const [k, v] of Object.entries(environment)) fn.addEnvironment(k, v);
      for (const bucket of config.sourceBuckets) {
        fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${bucket}/*`] }));
      }
    }
    const dataAccess = (fn: IFunction, read: string[], write: string[]) => {
      // Explicit actions, not CDK's grantRead/Write (which add Abort*, DeleteObject*, List* wildcards).
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [data.bucketArn] }));
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: read.map((p) => data.arnForObjects(p)) }));
      if (write.length) fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: write.map((p) => data.arnForObjects(p)) }));
    };
    dataAccess(arrivals, [`${config.arrivalPrefix}*`], ['staging/*']);
    jobs.queue.grantSendMessages(arrivals);

    // Job outputs are arbitrary prefixes of the data bucket (`s3://<bucket>/<any>/`), hence `/*`.
    dataAccess(jobs.fn, ['*'], ['*']);
    jobsTable.grantReadWriteData(jobs.fn);
    for (const f of Object.values(this.opFunctions)) f.queue.grantSendMessages(jobs.fn);

    for (const f of Object.values(this.opFunctions)) {
      dataAccess(f.fn, ['*'], ['*']);
      jobsTable.grantReadWriteData(f.fn);
      idempotencyTable.grantReadWriteData(f.fn);
      finalize.queue.grantSendMessages(f.fn);
    }
    dataAccess(finalize.fn, ['*'], ['*']);
    jobsTable.grantReadWriteData(finalize.fn);
    completed.grantPublish(finalize.fn);

    const dataId = this.getLogicalId(data.node.defaultChild as CfnElement);
    const objectWildcards = [
      { id: `AwsSolutions-IAM5[Resource::<${dataId}.Arn>/*]`, reason: 'Job outputs, parts and prepared plans live under any prefix of the deployment\'s own data bucket that a job names; only GetObject/PutObject are granted on it.' },
      { id: `AwsSolutions-IAM5[Resource::<${dataId}.Arn>/${config.arrivalPrefix}*]`, reason: 'The arrivals function reads the new items written under the arrival prefix (GetObject only).' },
      { id: `AwsSolutions-IAM5[Resource::<${dataId}.Arn>/staging/*]`, reason: 'The arrivals function stages jobs too large for a message under staging/ (PutObject only).' },
      ...config.sourceBuckets.map((b) => ({ id: `AwsSolutions-IAM5[Resource::arn:aws:s3:::${b}/*]`, reason: `Read-only (GetObject) access to the source archive ${b}, whose objects are not known in advance.` })),
    ];
    for (const a of objectWildcards) Validations.of(this).acknowledge(a);

    new CfnOutput(this, 'EofnTable', { value: jobsTable.tableName, description: 'export EOFN_TABLE=<this>' });
    new CfnOutput(this, 'EofnJobsQueueUrl', { value: jobs.queue.queueUrl, description: 'export EOFN_JOBS_QUEUE_URL=<this>' });
    new CfnOutput(this, 'EofnStaging', { value: `s3://${data.bucketName}/staging`, description: 'export EOFN_STAGING=<this>' });
    new CfnOutput(this, 'DataBucket', { value: data.bucketName });
    new CfnOutput(this, 'CompletionTopicArn', { value: completed.topicArn, description: 'partners subscribe here' });
  }
}
