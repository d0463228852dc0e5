/**
 * Sends a plan's partition messages in chunks, building each chunk's messages only when it goes out, and
 * records after each chunk how many are out, so a jobs function that dies in a 100,000-partition fan-out
 * resumes where it stopped (a resent chunk is harmless: every message may arrive twice anyway).
 *
 * @example
 * await fanOutPartitions({ send, queueUrl, jobId, op, partitions, from: job.fannedOut ?? 0, onProgress: (n) => store.noteFanOut(jobId, n) });
 */
import type { PartitionSpec } from '../../core/plan/types.ts';
import { partitionMessages } from './partitionMessages.ts';
import type { QueueSender } from './queueSender.ts';

export interface FanOut {
  send: QueueSender;
  queueUrl: string;
  jobId: string;
  op: string;
  partitions: Pick<PartitionSpec, 'id'>[];
  /** Partitions already sent by an earlier attempt (in plan order). */
  from?: number;
  /** Messages per chunk (default 2,000: 200 SendMessageBatch requests between two progress notes). */
  chunk?: number;
  onProgress?(sent: number): Promise<void>;
}

/** Returns the number of messages this call sent. */
export async function fanOutPartitions(f: FanOut): Promise<number> {
  const chunk = f.chunk ?? 2000;
  const from = Math.min(f.from ?? 0, f.partitions.length);
  for (let i = from; i < f.partitions.length; i += chunk) {
    const end = Math.min(i + chunk, f.partitions.length);
    await f.send(f.queueUrl, partitionMessages(f.jobId, f.op, f.partitions.slice(i, end)));
    await f.onProgress?.(end);
  }
  return f.partitions.length - from;
}
