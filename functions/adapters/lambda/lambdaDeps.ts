/**
 * What the handlers need from the outside world, built once per container from the environment. Tests
 * build the same object around emulator clients and may replace a step (e.g. to inject a failure).
 *
 * @example
 * const deps = depsFromEnv('tile-reduce');
 * export const handler = createOpHandler(deps);
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { documentClient, dynamoClient, snsClient, sqsClient } from '../shared/awsServiceClients.ts';
import { configFromEnv, type DeploymentConfig } from './config.ts';
import { createJobStore, type JobStore } from './jobStore.ts';
import { createQueueSender, type QueueSender } from './queueSender.ts';

export type Publisher = (message: Record<string, unknown>, attributes: Record<string, string>) => Promise<void>;

export interface LambdaDeps {
  config: DeploymentConfig;
  store: JobStore;
  send: QueueSender;
  publish: Publisher;
  logger: Logger;
  metrics: Metrics;
  /** Powertools idempotency records (op handlers only). */
  idempotencyStore?: BasePersistenceLayer;
}

export const METRICS_NAMESPACE = 'eofn';

export function depsFromEnv(service: string): LambdaDeps {
  const config = configFromEnv();
  const ddb = dynamoClient();
  return {
    config,
    store: createJobStore(documentClient(ddb), config.tableName, { retentionDays: config.retentionDays }),
    send: createQueueSender(sqsClient()),
    publish: snsPublisher(snsClient(), config.completionTopicArn),
    logger: new Logger({ serviceName: service }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }),
    ...(config.idempotencyTableName
      ? { idempotencyStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName, awsSdkV3Client: ddb }) }
      : {}),
  };
}

/** Publishes completion events with attributes partners can filter on (`status`, `op`). */
export function snsPublisher(sns: SNSClient, topicArn: string | undefined): Publisher {
  return async (message, attributes) => {
    if (!topicArn) return;
    await sns.send(new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(message),
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
    }));
  };
}
