/**
 * Running one partition and where its result lives. A part is written under a key derived from the job's
 * output and the partition id only, so a duplicate delivery overwrites it with identical bytes.
 *
 * @example
 * await runPartition(prepared, plan.partitions[0]);
 * await partExists(prepared.outputHref, plan.partitions[0].id); // true
 */
import { storageFor } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import type { PartitionSpec } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export const PARTS_FOLDER = '_parts';

export function partHref(outputHref: string, partitionId: string): string {
  return `${outputHref}/${PARTS_FOLDER}/${partitionId}.part`;
}

export async function runPartition(prepared: PreparedJob, partition: PartitionSpec): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now();
  const bytes = await operationOf(prepared.job.op).runPartition(prepared.setup, partition);
  const href = partHref(prepared.outputHref, partition.id);
  await storageFor(href).write(href, bytes, 'application/octet-stream');
  return { bytes: bytes.byteLength, seconds: (performance.now() - started) / 1000 };
}

export async function partExists(outputHref: string, partitionId: string): Promise<boolean> {
  const href = partHref(outputHref, partitionId);
  return (await storageFor(href).size(href)) !== undefined;
}

export function readPart(outputHref: string): (id: string) => Promise<Uint8Array> {
  return (id) => {
    const href = partHref(outputHref, id);
    return storageFor(href).readAll(href);
  };
}
