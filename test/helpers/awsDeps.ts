/**
 * The handlers' dependencies around emulator clients, as `depsFromEnv` builds them in a function, with
 * logs silenced and metrics kept in memory. `send` and `publish` can be wrapped to observe or duplicate.
 *
 * @example
 * const deps = awsTestDeps(aws, { send: duplicating(createQueueSender(aws.sqs)) });
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createJobStore } from '../../functions/adapters/lambda/jobStore.ts';
import { createQueueSender } from '../../functions/adapters/lambda/queueSender.ts';
import { snsPublisher, type LambdaDeps } from '../../functions/adapters/lambda/lambdaDeps.ts';
import type { AwsTestEnv } from './awsEmulators.ts';

export function awsTestDeps(aws: AwsTestEnv, overrides: Partial<LambdaDeps> = {}): LambdaDeps {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return {
    config: aws.config,
    store: createJobStore(aws.doc, aws.config.tableName),
    send: createQueueSender(aws.sqs),
    publish: snsPublisher(aws.sns, aws.config.completionTopicArn),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'eofn-test', serviceName: 'test' }),
    idempotencyStore: new DynamoDBPersistenceLayer({ tableName: aws.config.idempotencyTableName, awsSdkV3Client: aws.ddb }),
    ...overrides,
  };
}
