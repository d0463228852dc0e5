/**
 * New data starts jobs by itself: an S3 `ObjectCreated` event for a STAC item JSON, or an SNS notification
 * whose message is a new STAC item (as Earth Search publishes for Sentinel-2). The deployment's arrival
 * rules pick the job templates; each job goes to the `jobs` queue like any submission.
 *
 * @example
 * export const handler = withObservability(createArrivalsHandler(depsFromEnv('arrivals')), deps);
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Event, S3EventRecord, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { jobsForArrival, type Arrival } from '../../core/arrivals/arrivalRules.ts';
import { InputError } from '../../core/errors.ts';
import { storageFor } from '../../core/io/storage.ts';
import { parseS3 } from '../shared/s3Storage.ts';
import { submitJob } from './submitJob.ts';
import type { LambdaDeps } from './lambdaDeps.ts';
import { parseJson } from '../../core/io/parseJson.ts';

type ArrivalEvent = S3Event | SNSEvent;

export function createArrivalsHandler(deps: LambdaDeps) {
  const { config, send, logger, metrics } = deps;

  async function arrivalOf(record: S3EventRecord | SNSEventRecord): Promise<Arrival | undefined> {
    if ('s3' in record) {
      if (!record.eventName.startsWith('ObjectCreated')) return undefined;
      // S3 event keys are URL-encoded with '+' for spaces.
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const href = `s3://${record.s3.bucket.name}/${key}`;
      return { href, item: itemOf(parseJson(await storageFor(href).readAll(href), href), href) };
    }
    const item = itemOf(JSON.parse(record.Sns.Message), `SNS message ${record.Sns.MessageId}`);
    const self = (item.links as { rel?: string; href?: string }[] | undefined)?.find((l) => l.rel === 'self')?.href;
    return { ...(self && /^(s3|https):\/\//.test(self) ? { href: self } : {}), item };
  }

  return async (event: ArrivalEvent): Promise<{ jobs: string[] }> => {
    const started: string[] = [];
    for (const record of event.Records) {
      const arrival = await arrivalOf(record);
      if (!arrival) continue;
      const jobs = jobsForArrival(arrival, config.arrivalRules);
      for (const job of jobs) {
        // `{bucket}` in a rule's output names the deployment's own data bucket (where staging lives).
        if (typeof job.output === 'string') job.output = job.output.replaceAll('{bucket}', parseS3(config.stagingPrefix).bucket);
        await submitJob(send, config, { raw: job });
        started.push(String(job.id));
      }
      logger.info('arrival', { item: arrival.item.id, href: arrival.href, jobs: jobs.map((j) => j.id) });
    }
    metrics.addMetric('JobsStartedByArrivals', MetricUnit.Count, started.length);
    return { jobs: started };
  };
}

function itemOf(value: unknown, where: string): Arrival['item'] & { links?: unknown } {
  const item = value as Arrival['item'] | null;
  if (!item || typeof item.id !== 'string' || typeof item.properties !== 'object' || item.properties === null) {
    throw new InputError(where, 'expected a STAC item (id, properties)');
  }
  return item;
}
