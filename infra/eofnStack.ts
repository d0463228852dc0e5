/**
 * The eofn deployment of one provider configuration: a data bucket (outputs, staging, arrivals), the job
 * table and the idempotency table, the `jobs`, per-op and `finalize` queues with their functions and DLQs,
 * the arrivals function (S3 ObjectCreated and configured SNS topics, filtered on the message attributes by
 * the arrival rules), and the completion topic. Every DLQ is read by the dead-letter consumer, a scheduled
 * sweeper settles what no message reports, and alarms on DLQ depth, function errors and throttles go to the
 * alarm topic.
 *
 * @example
 * new EofnStack(app, 'eofn-aws-eu-central-1', { config: loadProviderConfig('aws-eu-central-1') });
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { S3EventSourceV2, SnsEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { namesToEnv, settingsJson, type DeploymentNames } from '../functions/adapters/lambda/config.ts';
import { SWEEP_INDEX } from '../functions/adapters/lambda/jobStore.ts';
import { checkConcurrency, DEAD_LETTER_CONCURRENCY } from './concurrencyBudget.ts';
import { arrivalFilterPolicy } from '../functions/core/arrivals/arrivalFilterPolicy.ts';
import type { ProviderConfig } from './providerConfig.ts';
import { DEAD_LETTER_TIMEOUT_SECONDS, entryFunction, QueueFunction } from './queueFunction.ts';
import { VISIBILITY_FACTOR } from '../functions/adapters/lambda/attemptTiming.ts';

/** The calls the handlers make on the jobs table (no Scan, DeleteItem or batch writes: none is used). */
const JOBS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
/** Powertools idempotency: get, put, update, and delete of the record of a failed attempt. */
const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

export interface EofnStackProps extends StackProps {
  config: ProviderConfig;
}

export class EofnStack extends Stack {
  readonly opFunctions: Record<string, QueueFunction> = {};
  /** The settings bundled into every function (JSON, see `functions/adapters/lambda/config.ts`). */
  readonly settings: string;

  constructor(scope: Construct, id: string, props: EofnStackProps) {
    super(scope, id, props);
    const { config } = props;
    checkConcurrency(config);
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const settings = this.settings = settingsJson({
      opMemoryMb: Object.fromEntries(Object.entries(config.ops).map(([op, s]) => [op, s.memoryMb])),
      opTimeoutSeconds: Object.fromEntries(Object.entries(config.ops).map(([op, s]) => [op, s.timeoutSeconds])),
      maxReceiveCount: config.maxReceiveCount, retentionDays: config.retentionDays, arrivalRules: config.arrivalRules,
    });
    const common = { architecture: config.architecture, removalPolicy, maxReceiveCount: config.maxReceiveCount, settings };

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED, removalPolicy, autoDeleteObjects: !config.retainData,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const data = new Bucket(this, 'Data', {
      encryption: BucketEncryption.S3_MANAGED, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true,
      serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'data/', removalPolicy, autoDeleteObjects: !config.retainData,
      // Scratch (`_parts/`, `_eofn/` under each output) is removed by finalize once a product exists; failed
      // jobs keep theirs for `eofn redrive`. Uploads that never completed cost storage until they expire.
      lifecycleRules: [
        { prefix: 'staging/', expiration: Duration.days(14) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    const jobsTable = new Table(this, 'Jobs', {
      partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST, encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, removalPolicy,
      timeToLiveAttribute: 'expiresAt',
    });
    jobsTable.addGlobalSecondaryIndex({
      indexName: SWEEP_INDEX, partitionKey: { name: 'sweep', type: AttributeType.STRING }, sortKey: { name: 'sweepAt', type: AttributeType.NUMBER },
    });
    const idempotencyTable = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING }, timeToLiveAttribute: 'expiration',
      billingMode: BillingMode.PAY_PER_REQUEST, encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, removalPolicy: RemovalPolicy.DESTROY,
    });
    const completed = new Topic(this, 'Completed', { displayName: 'eofn job completed', enforceSSL: true });
    const alarms = new Topic(this, 'Alarms', { displayName: 'eofn alarms: dead letters, function errors, throttles', enforceSSL: true });
    if (config.alarmEmail) alarms.addSubscription(new EmailSubscription(config.alarmEmail));

    // Queues first: every function's environment names all of them.
    const jobs = new QueueFunction(this, 'JobsStage', { ...common, ...config.jobs, entry: 'jobs', batchSize: 10, environment: {} });
    const finalize = new QueueFunction(this, 'FinalizeStage', { ...common, ...config.finalize, entry: 'finalize', batchSize: 1, environment: {} });
    for (const [op, size] of Object.entries(config.ops)) {
      this.opFunctions[op] = new QueueFunction(this, `Op-${op}`, { ...common, ...size, entry: 'op', batchSize: 1, environment: { EOFN_OP: op } });
    }
    const names: DeploymentNames = {
      tableName: jobsTable.tableName, idempotencyTableName: idempotencyTable.tableName,
      jobsQueueUrl: jobs.queue.queueUrl, finalizeQueueUrl: finalize.queue.queueUrl,
      opQueues: Object.fromEntries(Object.entries(this.opFunctions).map(([op, f]) => [op, f.queue.queueUrl])),
      completionTopicArn: completed.topicArn, stagingPrefix: `s3://${data.bucketName}/staging`,
    };
    const environment: Record<string, string> = {
      ...namesToEnv(names),
      // What a job may read or write, as IAM allows it: the data bucket and the source buckets.
      EOFN_ALLOWED_BUCKETS: [data.bucketName, ...config.sourceBuckets].join(','),
      ...(config.allowedHosts ? { EOFN_ALLOWED_HOSTS: config.allowedHosts.join(',') } : {}),
    };

    const arrivalsDlq = new Queue(this, 'ArrivalsDlq', {
      encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.seconds(VISIBILITY_FACTOR * DEAD_LETTER_TIMEOUT_SECONDS),
    });
    const arrivals = entryFunction(this, 'Arrivals', {
      ...common, entry: 'arrivals', memoryMb: 512, timeoutSeconds: 60, environment, reservedConcurrency: config.arrivalsReservedConcurrency,
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

    // Every DLQ has a consumer: deaths are recorded with their reason and their jobs failed.
    const queueFunctions = [jobs, finalize, ...Object.values(this.opFunctions)];
    const dlqs = [...queueFunctions.map((f) => f.deadLetterQueue), arrivalsDlq];
    const deadLetters = entryFunction(this, 'DeadLetters', { ...common, entry: 'dead-letters', memoryMb: 512, timeoutSeconds: DEAD_LETTER_TIMEOUT_SECONDS, environment });
    for (const q of dlqs) {
      deadLetters.addEventSource(new SqsEventSource(q, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: DEAD_LETTER_CONCURRENCY }));
    }
    // What no message reports: partitions open past their deadline.
    const sweeper = entryFunction(this, 'Sweeper', { ...common, entry: 'sweeper', memoryMb: 256, timeoutSeconds: 120, environment });
    new Rule(this, 'SweepSchedule', { schedule: Schedule.rate(Duration.minutes(config.sweepMinutes)), targets: [new LambdaFunction(sweeper)] });

    // Least privilege: each function gets what its handler touches, source data read-only.
    const all = [jobs.fn, finalize.fn, arrivals, deadLetters, sweeper, ...Object.values(this.opFunctions).map((f) => f.fn)];
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
    const tableAccess = (fn: IFunction, actions = JOBS_TABLE_ACTIONS) =>
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [jobsTable.tableArn, `${jobsTable.tableArn}/index/${SWEEP_INDEX}`] }));
    dataAccess(arrivals, [`${config.arrivalPrefix}*`], ['staging/*']);
    jobs.queue.grantSendMessages(arrivals);

    // Job outputs are arbitrary prefixes of the data bucket (`s3://<bucket>/<any>/`), hence `/*`.
    dataAccess(jobs.fn, ['*'], ['*']);
    tableAccess(jobs.fn);
    for (const f of Object.values(this.opFunctions)) f.queue.grantSendMessages(jobs.fn);
    // Planning fanned out per tile: plan-tile messages go back to the jobs queue, and a tile that fails its job
    // (or, empty, completes it) sends it to finalize.
    jobs.queue.grantSendMessages(jobs.fn);
    finalize.queue.grantSendMessages(jobs.fn);

    for (const f of Object.values(this.opFunctions)) {
      dataAccess(f.fn, ['*'], ['*']);
      tableAccess(f.fn);
      f.fn.addToRolePolicy(new PolicyStatement({ actions: IDEMPOTENCY_ACTIONS, resources: [idempotencyTable.tableArn] }));
      finalize.queue.grantSendMessages(f.fn);
    }
    dataAccess(finalize.fn, ['*'], ['*']);
    // Finalize alone deletes: the scratch of a job whose product is written.
    finalize.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [data.arnForObjects('*')] }));
    tableAccess(finalize.fn);
    completed.grantPublish(finalize.fn);

    dataAccess(deadLetters, ['*'], []); // a submission by reference is read to name its job
    tableAccess(deadLetters);
    finalize.queue.grantSendMessages(deadLetters);
    completed.grantPublish(deadLetters);
    tableAccess(sweeper, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']);
    finalize.queue.grantSendMessages(sweeper);

    // Alarms: any message in a DLQ (deaths are also recorded by the consumer), any function error or throttle.
    const alarm = (id: string, metric: IMetric, description: string) => new Alarm(this, id, {
      metric, threshold: 1, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING, alarmDescription: description,
    }).addAlarmAction(new SnsAction(alarms));
    for (const q of dlqs) {
      alarm(`${q.node.scope!.node.id}${q.node.id}Depth`, q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        'messages in a dead-letter queue: a function died on every attempt; `eofn status` shows the job, `eofn redrive` sends it again');
    }
    for (const fn of all) {
      const id = fn.node.scope === this ? fn.node.id : fn.node.scope!.node.id;
      alarm(`${id}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), `errors in the ${id} function (see its log group)`);
      alarm(`${id}Throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), `throttles of the ${id} function: raise the account quota or lower the caps`);
    }

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
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn, description: 'operators subscribe here (or set alarmEmail)' });
  }
}
