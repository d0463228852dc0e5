/**
 * `eofn submit|status|redrive --backend aws`: the CLI side of the AWS deployment. It finds the deployment
 * through the variables the stack prints as outputs (`EOFN_TABLE`, `EOFN_JOBS_QUEUE_URL`, `EOFN_STAGING`)
 * and the usual AWS credentials and region.
 *
 * @example
 * const backend = createAwsBackend();
 * const id = await backend.submit('jobs/ndvi.json'); // then: await backend.status(id)
 */
import { readJobFile } from '../../core/engine/index.ts';
import { InputError } from '../../core/errors.ts';
import { validateJob } from '../../core/spec/validateJob.ts';
import type { CliBackend, JobStatusView } from '../shared/cliBackend.ts';
import { documentClient, sqsClient } from '../shared/awsServiceClients.ts';
import { configFromEnv, ENV, type DeploymentConfig } from './config.ts';
import { createJobStore, type JobStore } from './jobStore.ts';
import { createQueueSender, type QueueSender } from './queueSender.ts';
import { submitJob } from './submitJob.ts';
import { partitionMessages } from './partitionMessages.ts';

export function createAwsBackend(
  config: DeploymentConfig = configFromEnv(),
  store: JobStore = createJobStore(documentClient(), config.tableName),
  send: QueueSender = createQueueSender(sqsClient()),
): CliBackend {
  const need = (value: string, name: string) => {
    if (!value) throw new InputError(name, 'not set: export the stack outputs of `npm run deploy:aws` (see docs/aws.md)');
  };
  return {
    name: 'aws',
    async submit(jobHref) {
      need(config.jobsQueueUrl, ENV.jobsQueue);
      const { raw, base } = await readJobFile(jobHref);
      const { id } = validateJob(raw);
      await submitJob(send, config, { raw, base });
      return id;
    },

    async status(jobId) {
      need(config.tableName, ENV.table);
      const job = await store.getJob(jobId);
      if (!job) return undefined;
      const parts = await store.partitions(jobId);
      const view: JobStatusView = {
        // An INVALID record is written by an update, which may not carry id/op: the caller's id is the id.
        id: job.id ?? jobId, op: job.op ?? 'unknown op', status: job.status === 'FINALIZING' ? 'RUNNING' : job.status,
        total: job.total, done: job.done, failed: parts.filter((p) => p.status === 'FAILED' || p.status === 'DEAD').length,
        output: job.output,
        partitions: parts.map((p) => ({ id: p.id, status: p.status, attempts: p.attempts, ...(p.error ? { error: p.error } : {}) })),
        errors: job.errors ?? [],
      };
      return view;
    },

    async redrive(jobId) {
      need(config.tableName, ENV.table);
      const job = await store.getJob(jobId);
      if (!job?.preparedRef || !job.queueUrl) throw new Error(`job ${jobId} is not known or was never planned`);
      const ids = await store.resetFailed(jobId);
      const messages = partitionMessages(jobId, job.op, ids.map((id) => ({ id })));
      await send(job.queueUrl, messages);
      return messages.length;
    },
  };
}
