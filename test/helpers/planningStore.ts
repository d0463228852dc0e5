/**
 * The planning verbs of a `JobStateStore` kept in maps, for tests that accept a job and plan its tiles
 * without a database: jobs with the partitions recorded (`total`) and the tiles planned and sent. Any other
 * verb throws: reaching it means the test left planning.
 *
 * @example
 * const { store, jobs } = planningStore();
 * await acceptJob(source, { store, memoryMbOf: () => 1769, planFanOutTiles: 1 });
 */
import type { JobStateStore, NewJob, PlannedTile } from '../../functions/core/lifecycle/index.ts';

export function planningStore() {
  const jobs = new Map<string, NewJob & { total: number; planned: Set<string>; sent: Set<string> }>();
  const tiles = new Map<string, PlannedTile>();
  const unreached = async (): Promise<never> => { throw new Error('not part of planning a job'); };
  const store: JobStateStore = {
    acceptedJob: async (id) => jobs.has(id) ? { hash: jobs.get(id)!.hash, settledIn: true } : undefined,
    recordInvalid: unreached,
    recordPlanned: async (job) => { jobs.set(job.jobId, { ...job, total: job.partitions?.length ?? 0, planned: new Set(), sent: new Set() }); return 'created'; },
    startJob: async () => undefined,
    plannedJob: async (id) => { const j = jobs.get(id); return j && { op: j.op, status: 'RUNNING', preparedRef: j.preparedRef, preparedDigest: j.preparedDigest }; },
    recordTile: async (id, tile) => {
      const j = jobs.get(id)!;
      if (j.planned.has(tile.key)) return { changed: false, sent: j.sent.has(tile.key) };
      j.planned.add(tile.key);
      j.total += tile.partitions.length;
      tiles.set(`${id} ${tile.key}`, tile);
      return { changed: true, sent: false };
    },
    tileSent: async (id, key) => { jobs.get(id)!.sent.add(key); },
    plannedTile: async (id, key) => { const t = tiles.get(`${id} ${key}`); return t && { href: t.href, digest: t.digest }; },
    planTileFailed: unreached, startPartition: unreached, partitionSucceeded: unreached, partitionFailed: unreached,
    startFinalize: unreached, finishJob: unreached, finalizeFailed: unreached, status: unreached,
  };
  return { store, jobs };
}
