/**
 * `acceptJob`, the one acceptance step of both cloud adapters, over a store that keeps its records in a
 * map: what it records for each outcome, that a job under a taken id is never prepared (so it cannot
 * overwrite the other job's prepared file), and that only a settled submission is closed.
 */
import { readFile, stat } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { InputError } from '../../../functions/core/errors.ts';
import { acceptJob, type AcceptOptions } from '../../../functions/core/lifecycle/acceptJob.ts';
import type { JobStateStore, NewJob, RecordOutcome } from '../../../functions/core/lifecycle/jobStateStore.ts';
import { ndviJob, tempOutput } from '../../helpers/sampleJobs.ts';

/** The acceptance verbs of a store, in memory; the partition and finalize verbs are not reached here. */
function mapStore() {
  const jobs = new Map<string, NewJob>();
  const invalid = new Map<string, { op: string; errors: string[] }>();
  const unreached = async (): Promise<never> => { throw new Error('not part of accepting a job'); };
  const store: JobStateStore = {
    acceptedJob: async (id) => (jobs.has(id) ? { hash: jobs.get(id)!.hash, settledIn: true } : undefined),
    recordInvalid: async (id, op, errors) => { invalid.set(id, { op, errors }); },
    recordPlanned: async (job): Promise<RecordOutcome> => {
      const known = jobs.get(job.jobId);
      if (known) return known.hash === job.hash ? 'same' : 'conflict';
      jobs.set(job.jobId, job);
      return 'created';
    },
    startJob: async () => undefined,
    plannedJob: unreached, recordTile: unreached, tileSent: unreached, plannedTile: unreached, planTileFailed: unreached, startPartition: unreached, partitionSucceeded: unreached, partitionFailed: unreached,
    startFinalize: unreached, finishJob: unreached, finalizeFailed: unreached, status: unreached,
  };
  return { store, jobs, invalid };
}

function optionsFor(store: JobStateStore, log: string[] = []): AcceptOptions {
  return {
    store, memoryMbOf: () => 1024,
    submission: { begin: async (id) => { log.push(`begin ${id}`); }, end: async (id) => { log.push(`end ${id}`); } },
  };
}

beforeAll(() => registerLocalStorages());

const inline = (job: unknown) => ({ read: async () => ({ raw: job }), received: { kind: 'job', job } });

describe('acceptJob', () => {
  it('prepares, plans, stores and records a new job; the same job again is known and not planned again', async () => {
    // Prepare
    const { store, jobs } = mapStore();
    const log: string[] = [];
    const job = { ...ndviJob(), id: 'accept-new', output: await tempOutput('accept') };
    // Act
    const first = await acceptJob(inline(job), optionsFor(store, log));
    const again = await acceptJob(inline(job), optionsFor(store, log));
    // Assess
    expect(first).toMatchObject({ outcome: 'accepted', jobId: 'accept-new' });
    expect(again).toEqual({ outcome: 'known', jobId: 'accept-new' });
    expect(log).toEqual(['begin accept-new', 'end accept-new']);
    const recorded = jobs.get('accept-new')!;
    expect(recorded.partitions?.length).toBe(first.outcome === 'accepted' ? first.plan.partitions.length : -1);
    expect(recorded.memoryMb).toBe(1024);
    expect((await stat(recorded.preparedRef)).size).toBeGreaterThan(0);
  });

  it('refuses another job under a taken id before preparing it: the first job\'s prepared file stays as it was', async () => {
    // Prepare
    const { store, jobs } = mapStore();
    const output = await tempOutput('accept-conflict');
    await acceptJob(inline({ ...ndviJob(), id: 'accept-taken', output }), optionsFor(store));
    const before = await readFile(jobs.get('accept-taken')!.preparedRef, 'utf8');
    // Act
    const other = await acceptJob(inline({ ...ndviJob({ reducer: 'mean' }), id: 'accept-taken', output }), optionsFor(store));
    // Assess
    expect(other).toEqual({ outcome: 'conflict', jobId: 'accept-taken' });
    expect(await readFile(jobs.get('accept-taken')!.preparedRef, 'utf8')).toBe(before);
  });

  it('records an invalid job under its id, or under a hash of what arrived when it has none, and closes its submission', async () => {
    // Prepare
    const { store, invalid } = mapStore();
    const log: string[] = [];
    const refused = { ...optionsFor(store, log), refuse: () => 'op: "tile-reduce" is not deployed here' };
    // Act
    const bad = await acceptJob(inline({ ...ndviJob({ reducer: 'nope' }), id: 'accept-bad' }), optionsFor(store, log));
    const unreadableSource = {
      read: async () => { throw new InputError('s3://x/job.json', 'cannot read the job file: not found'); },
      received: { kind: 'job', jobRef: 's3://x/job.json' },
    };
    const unreadable = await acceptJob(unreadableSource, optionsFor(store, log));
    const notHere = await acceptJob(inline({ ...ndviJob(), id: 'accept-elsewhere', output: await tempOutput('accept-elsewhere') }), refused);
    // Assess
    expect(bad).toMatchObject({ outcome: 'invalid', jobId: 'accept-bad', op: 'tile-reduce', problems: [expect.stringMatching(/^params\.reducer/)] });
    expect(unreadable).toMatchObject({ outcome: 'invalid', jobId: expect.stringMatching(/^invalid-[0-9a-f]{16}$/), op: 'unknown' });
    expect(notHere).toMatchObject({ outcome: 'invalid', jobId: 'accept-elsewhere', problems: ['op: "tile-reduce" is not deployed here'] });
    expect([...invalid.keys()].sort()).toEqual(['accept-bad', 'accept-elsewhere', unreadable.jobId].sort());
    expect(log).toEqual(['begin accept-elsewhere', 'end accept-elsewhere']);
  });

  it('leaves the submission open when a failure a retry may fix stops it (the platform sends it again)', async () => {
    // Prepare
    const { store } = mapStore();
    const log: string[] = [];
    const failing: JobStateStore = { ...store, recordPlanned: async () => { throw new Error('connection reset'); } };
    const job = { ...ndviJob(), id: 'accept-transient', output: await tempOutput('accept-transient') };
    // Act
    const error = await acceptJob(inline(job), optionsFor(failing, log)).catch((e: Error) => e);
    // Assess
    expect((error as Error).message).toBe('connection reset');
    expect(log).toEqual(['begin accept-transient']);
  });
});
