/**
 * `eofn submit|status|redrive --backend aws`: the CLI side of the AWS deployment. It finds the deployment
 * through the variables the stack prints as outputs (`EOFN_TABLE`, `EOFN_JOBS_QUEUE_URL`, `EOFN_STAGING`)
 * and the usual AWS credentials and region.
 *
 * @example
 * const backend = createAwsBackend();
 * const id = await backend.submit('jobs/ndvi.json'); // then: await backend.status(id)
 */
import { loadPrepared, readJobFile, type PlanTileMessage } from '../../core/engine/index.ts';
import { isTiled } from '../../core/ops/tiles/tiledSetup.ts';
import { InputError } from '../../core/errors.ts';
import { validateJob } from '../../core/contract/validateJob.ts';
import type { CliBackend } from '../shared/cliBackend.ts';
import { documentClient, sqsClient } from '../shared/awsServiceClients.ts';
import { configFromEnv, ENV, type DeploymentConfig } from './config.ts';
import { createJobStore, type JobItem, type JobStore } from './jobStore.ts';
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

    status(jobId) {
      need(config.tableName, ENV.table);
      return store.status(jobId);
    },

    /** Sends again what died: DEAD, FAILED and stuck partitions, a dead finalize, or a dead submission. */
    async redrive(jobId) {
      need(config.tableName, ENV.table);
      const job = await store.getJob(jobId);
      if (!job) throw new Error(`job ${jobId} is not known`);
      const reset = await store.redrive(jobId);
      if (reset.submission) {
        need(config.jobsQueueUrl, ENV.jobsQueue);
        await send(config.jobsQueueUrl, [JSON.parse(reset.submission)]);
        return { partitions: 0, tiles: 0, merge: false, submission: true };
      }
      if (!job.preparedRef || !job.queueUrl) throw new Error(`job ${jobId} was never planned`);
      if (reset.finalize) await send(config.finalizeQueueUrl, [{ kind: 'finalize', jobId }]);
      const tiles = await unplannedTiles(job);
      if (tiles.length) await send(config.jobsQueueUrl, tiles.map((tile): PlanTileMessage => ({ kind: 'plan-tile', jobId, tile })));
      const messages = partitionMessages(jobId, job.op, reset.partitions.map((id) => ({ id })));
      if (messages.length) await send(job.queueUrl, messages);
      return { partitions: messages.length, tiles: tiles.length, merge: reset.finalize, submission: false };
    },
  };
}

/** The tiles of a job planned one `plan-tile` message each whose plan is not recorded (their message died). */
async function unplannedTiles(job: JobItem): Promise<string[]> {
  if (!job.tiles || (job.tilesPlanned ?? 0) >= job.tiles || !job.preparedRef) return [];
  const { setup } = (await loadPrepared(job.preparedRef, job.preparedDigest)).prepared;
  return isTiled(setup) ? setup.tiles.map((t) => t.key).filter((key) => !job.plannedTiles?.has(key)) : [];
}
