/**
 * One place that builds AWS SDK clients, so tests, LocalStack, Ceph/MinIO and production differ only by
 * configuration: `AWS_ENDPOINT_URL` (or a per-service `AWS_ENDPOINT_URL_S3` …) points them elsewhere, and
 * S3 then uses path-style addressing, which emulators and Ceph RGW without wildcard DNS need.
 *
 * @example
 * const s3 = s3Client(); // honours AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';

export interface ClientOptions {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Connections of this client: at most `maxSockets`, and none kept open between requests when `keepAlive`
   * is false (an archive that limits concurrent connections counts idle ones too).
   */
  connections?: { maxSockets: number; keepAlive: boolean };
}

export function endpointFor(service: 'S3' | 'SQS' | 'SNS' | 'DYNAMODB'): string | undefined {
  return process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
}

export function regionFromEnv(): string {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
}

export function s3Client(opts: ClientOptions = {}): S3Client {
  const endpoint = opts.endpoint ?? endpointFor('S3');
  return new S3Client({
    region: opts.region ?? regionFromEnv(),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? (!!endpoint || process.env.AWS_S3_FORCE_PATH_STYLE === 'true'),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // Bounded waits on a store that stalls: connect, then the whole exchange (reads are at most a few MB).
    requestHandler: {
      connectionTimeout: 10_000, requestTimeout: 120_000,
      ...(opts.connections ? { httpAgent: new HttpAgent(opts.connections), httpsAgent: new HttpsAgent(opts.connections) } : {}),
    },
  });
}
