/**
 * Running one partition and where its result lives: `<output>/_parts/<partsKey>/<partition id>.part`. The key
 * holds the job's content hash and the partition id, so a duplicate delivery overwrites a part with identical
 * bytes, and a different job sent to the same output never picks up this job's parts.
 *
 * @example
 * await runPartition(prepared, plan.partitions[0]);
 * await partExists(prepared, plan.partitions[0].id); // true
 * await partStore(prepared).size(plan.partitions[0].id); // the part's bytes
 */
import { storageFor } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import type { PartitionSpec } from '../plan/types.ts';
import type { PartStore } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export const PARTS_FOLDER = '_parts';

/** Where a job's parts live: the output and the job's content hash (`PreparedJob.partsKey`). */
export type PartsOwner = Pick<PreparedJob, 'outputHref' | 'partsKey'>;

export function partHref(owner: PartsOwner, partitionId: string): string {
  return `${owner.outputHref}/${PARTS_FOLDER}/${owner.partsKey}/${partitionId}.part`;
}

export async function runPartition(prepared: PreparedJob, partition: PartitionSpec): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now();
  const bytes = await operationOf(prepared.job.op).runPartition(prepared.setup, partition);
  const href = partHref(prepared, partition.id);
  await storageFor(href).write(href, bytes, 'application/octet-stream');
  return { bytes: bytes.byteLength, seconds: (performance.now() - started) / 1000 };
}

export async function partExists(owner: PartsOwner, partitionId: string): Promise<boolean> {
  const href = partHref(owner, partitionId);
  return (await storageFor(href).size(href)) !== undefined;
}

/** The job's parts for its merge, read where `runPartition` stored them. */
export function partStore(owner: PartsOwner): PartStore {
  const at = (id: string) => {
    const href = partHref(owner, id);
    return { href, storage: storageFor(href) };
  };
  return {
    read(id) {
      const { href, storage } = at(id);
      return storage.readAll(href);
    },
    readRange(id, offset, length) {
      const { href, storage } = at(id);
      return storage.readRange(href, offset, length);
    },
    async size(id) {
      const { href, storage } = at(id);
      const bytes = await storage.size(href);
      if (bytes === undefined) throw new Error(`part ${id} is missing (${href})`);
      return bytes;
    },
  };
}
