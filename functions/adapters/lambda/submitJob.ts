/**
 * Puts a job on the `jobs` queue: inline when it fits a message, else by reference. A job read from
 * `s3://` or `https://` travels as that href; any other large job is staged under the deployment's staging
 * prefix first. The CLI's `eofn submit` and the arrivals function both send jobs this way.
 *
 * @example
 * await submitJob(send, config, { raw: job, base: 's3://partner/jobs/ndvi.json' });
 */
import { createHash } from 'node:crypto';
import { storageFor } from '../../core/io/storage.ts';
import { MAX_INLINE_MESSAGE_BYTES, type JobMessage } from '../../core/engine/index.ts';
import type { QueueSender } from './queueSender.ts';

export interface SubmitTarget {
  jobsQueueUrl: string;
  stagingPrefix: string;
}

export async function submitJob(send: QueueSender, target: SubmitTarget, job: { raw: unknown; base?: string }): Promise<JobMessage> {
  const remoteBase = job.base && /^(s3|https?):\/\//.test(job.base) ? job.base : undefined;
  let message: JobMessage = { kind: 'job', job: job.raw, ...(remoteBase ? { base: remoteBase } : {}) };
  const text = JSON.stringify(job.raw);
  if (JSON.stringify(message).length > MAX_INLINE_MESSAGE_BYTES) {
    message = { kind: 'job', jobRef: remoteBase ?? (await stage(target.stagingPrefix, text)) };
  }
  await send(target.jobsQueueUrl, [message]);
  return message;
}

async function stage(prefix: string, text: string): Promise<string> {
  if (!prefix) throw new Error('this job is larger than a queue message and no staging prefix is configured (EOFN_STAGING)');
  const href = `${prefix}/submissions/${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`;
  await storageFor(href).write(href, new TextEncoder().encode(text), 'application/json');
  return href;
}
