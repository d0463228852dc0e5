/**
 * Sends messages to SQS in batches of ten (the SQS maximum), several batches in flight at once, retrying
 * entries SQS reports as failed, so that a fan-out of 100,000 partitions costs a tenth of the requests and
 * is bound by SQS's latency only once per `concurrency` batches.
 *
 * @example
 * const send = createQueueSender(sqsClient());
 * await send(queueUrl, partitionMessages);
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export type QueueSender = (queueUrl: string, messages: unknown[]) => Promise<void>;

export interface QueueSenderOptions {
  /** SendMessageBatch requests in flight at once (default 8: well inside one client's sockets). */
  concurrency?: number;
}

const BATCH = 10;
const ATTEMPTS = 3;

export function createQueueSender(sqs: SQSClient, options: QueueSenderOptions = {}): QueueSender {
  const concurrency = Math.max(1, options.concurrency ?? 8);

  async function sendBatch(queueUrl: string, batch: unknown[]): Promise<void> {
    let entries = batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
    for (let attempt = 1; entries.length; attempt++) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size && attempt >= ATTEMPTS) {
        throw new Error(`SQS refused ${failed.size} message(s) for ${queueUrl}: ${out.Failed?.[0]?.Message}`);
      }
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }

  return async (queueUrl, messages) => {
    let next = 0;
    // Each lane takes the next batch when its previous one is sent; the first error stops every lane.
    let failure: unknown;
    const lane = async () => {
      while (failure === undefined && next < messages.length) {
        const start = next;
        next += BATCH;
        try {
          await sendBatch(queueUrl, messages.slice(start, start + BATCH));
        } catch (e) {
          failure ??= e;
        }
      }
    };
    const lanes = Math.min(concurrency, Math.ceil(messages.length / BATCH));
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failure !== undefined) throw failure;
  };
}
