/**
 * SQS, SNS and DynamoDB clients built like `s3Client` (see `awsClients.ts`): `AWS_ENDPOINT_URL_<SERVICE>` or
 * `AWS_ENDPOINT_URL` points them at LocalStack or the in-process emulators of the tests. Kept apart from
 * `awsClients.ts` so that a local run, which needs only S3, does not load these SDKs.
 *
 * @example
 * const sqs = sqsClient();
 * const doc = documentClient(dynamoClient({ endpoint: 'http://127.0.0.1:4567' }));
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointFor, regionFromEnv, type ClientOptions } from './awsClients.ts';

export function sqsClient(opts: ClientOptions = {}): SQSClient {
  return new SQSClient(common('SQS', opts));
}

export function snsClient(opts: ClientOptions = {}): SNSClient {
  return new SNSClient(common('SNS', opts));
}

export function dynamoClient(opts: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(common('DYNAMODB', opts));
}

/** Items as plain values; `undefined` fields are dropped rather than rejected. */
export function documentClient(client: DynamoDBClient = dynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function common(service: 'SQS' | 'SNS' | 'DYNAMODB', opts: ClientOptions) {
  const endpoint = opts.endpoint ?? endpointFor(service);
  return {
    region: opts.region ?? regionFromEnv(),
    ...(endpoint ? { endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
}
