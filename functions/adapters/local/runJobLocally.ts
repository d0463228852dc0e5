/**
 * The local runner: prepare, plan, run the partitions on worker threads with retries, merge, and keep
 * `job.json` current (rewritten as partitions settle, INTERRUPTED on SIGINT/SIGTERM, with the command that
 * resumes). Re-running an interrupted job reuses the parts this job wrote (parts are keyed by the job's content
 * hash, so another job into the same output starts afresh); `force` removes every part first. A partition that
 * keeps failing goes to `<output>/_failed/<id>.json` and the other partitions' work is kept.
 *
 * @example
 * const record = await runJobLocally({ jobHref: 'jobs/ndvi.json', memoryMb: 1024, workers: 2 });
 */
import { availableParallelism } from 'node:os';
import {
  finalizeJob, partExists, PARTS_FOLDER, planJob, prepareJob, readJobFile, readJobRecord, removeScratch, storePrepared, withoutSearchItems, writeJobRecord,
  type JobPlan, type JobRecord, type PartitionRecord, type PreparedJob,
} from '../../core/engine/index.ts';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { schemeOf, storageFor } from '../../core/io/storage.ts';
import { mb } from '../../core/plan/memoryModel.ts';
import { closeCachedRasters } from '../../core/ops/openRasterCached.ts';
import { createPool } from './workerPool.ts';
import { createProgress } from './progress.ts';
import { mergeFitFor, mergeWarning } from './formatPlan.ts';
import { jobLimitsFromEnv } from '../shared/jobLimitsFromEnv.ts';
import { localMergeLimits } from './localMergeLimits.ts';

export interface LocalRunOptions {
  jobHref?: string;
  /** A job given as a value (tests, the demo); hrefs in it resolve against `base`. */
  job?: { raw: unknown; base?: string };
  memoryMb?: number;
  workers?: number;
  /** Attempts after the first for a partition that fails in a way a retry could fix. */
  retries?: number;
  /** Overrides the job's `output`. */
  output?: string;
  quiet?: boolean;
  /** Run again even when `job.json` says this job already succeeded. */
  force?: boolean;
}

export interface LocalRunResult {
  record: JobRecord;
  prepared: PreparedJob;
  plan: JobPlan;
  /** True when an earlier run had already finished this job and nothing was done. */
  alreadyDone: boolean;
}

export async function runJobLocally(opts: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  const source = opts.job ?? (await readJobFile(opts.jobHref!));
  // An --output given on the command line is relative to where the user stands, not to the job file.
  const output = opts.output && schemeOf(opts.output) === 'file' ? resolve(opts.output) : opts.output;
  const raw = output ? { ...(source.raw as object), output } : source.raw;
  const prepared = await prepareJob(raw, source.base);
  const workers = Math.max(1, opts.workers ?? defaultWorkers());
  const planOptions = { memoryMb: opts.memoryMb, minPartitions: workers, limits: jobLimitsFromEnv(process.env, localMergeLimits()) };
  const plan = planJob(prepared, planOptions);
  if (!opts.quiet) for (const line of mergeWarning(plan, mergeFitFor(prepared, plan, planOptions))) process.stderr.write(`eofn: ${line.trim()}\n`);
  const timings: Record<string, number> = { prepareAndPlan: seconds(started) };
  // The items a search found stay with the output (`_eofn/prepared.json`): a re-run uses the same ones.
  if (prepared.search) await storePrepared(prepared, plan);

  const previous = await readJobRecord(prepared.outputHref).catch(() => undefined);
  if (!opts.force && previous?.status === 'SUCCEEDED' && previous.id === prepared.job.id) {
    return { record: previous, prepared, plan, alreadyDone: true };
  }
  // --force starts clean: no part of any earlier run is reused.
  if (opts.force) await removeScratch(prepared.outputHref, LOCAL_SCRATCH);

  const record: JobRecord = {
    id: prepared.job.id, op: prepared.job.op, status: 'RUNNING', memoryMb: plan.memoryMb,
    partitions: plan.partitions.map((p) => ({ id: p.id, status: 'PENDING', attempts: 0, estimatedPeakMb: mb(p.estimatedPeakBytes) })),
    timings, errors: [], updated: new Date().toISOString(),
    resume: resumeCommand(opts, prepared.outputHref), runner: { pid: process.pid, host: hostname() },
  };
  const saver = createRecordSaver(prepared.outputHref, record);
  await saver.now();
  const stopOnSignal = interruptOnSignal(record, saver);

  const progress = createProgress(plan.partitions.length, process.stderr, opts.quiet);
  const pool = createPool(Math.min(workers, plan.partitions.length));
  const forWorkers = withoutSearchItems(prepared);
  const runStarted = performance.now();
  try {
    await Promise.all(plan.partitions.map(async (partition, i) => {
      const rec = record.partitions[i];
      if (await partExists(prepared, partition.id)) {
        Object.assign(rec, { status: 'SUCCEEDED', reused: true });
        progress.done(partition.id, '(reused from an earlier run)');
        saver.soon();
        return;
      }
      await runWithRetries(rec, () => pool.run(forWorkers, partition), opts.retries ?? 2, progress);
      if (rec.status === 'FAILED') await deadLetter(prepared.outputHref, partition.id, rec);
      saver.soon();
    }));
  } finally {
    progress.finish();
    await pool.close();
    await closeCachedRasters();
  }
  timings.partitions = seconds(runStarted);

  const failed = record.partitions.filter((p) => p.status === 'FAILED');
  if (failed.length) {
    record.status = 'FAILED';
    record.errors = failed.map((p) => `partition ${p.id}: ${p.error}`);
  } else {
    const mergeStarted = performance.now();
    await finalizeJob(prepared, plan);
    timings.merge = seconds(mergeStarted);
    record.status = 'SUCCEEDED';
  }
  timings.total = seconds(started);
  delete record.runner;
  await saver.now();
  stopOnSignal();
  if (record.status === 'SUCCEEDED') await removeScratch(prepared.outputHref, LOCAL_SCRATCH);
  return { record, prepared, plan, alreadyDone: false };
}

/** A local run keeps `_eofn/` only for a search job: the items the search found, which a re-run reuses. */
const LOCAL_SCRATCH = [PARTS_FOLDER, '_failed'];

function resumeCommand(opts: LocalRunOptions, outputHref: string): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const job = opts.jobHref ? quote(schemeOf(opts.jobHref) === 'file' ? resolve(opts.jobHref) : opts.jobHref) : '<the same job file>';
  const memory = opts.memoryMb ? ` --memory ${opts.memoryMb}` : '';
  return `eofn run ${job} --output ${quote(outputHref)}${memory}`;
}

/**
 * Writes `job.json` now, or soon (at most once a second while partitions settle), one write at a time so an
 * older state never lands after a newer one.
 */
function createRecordSaver(outputHref: string, record: JobRecord) {
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    record.updated = new Date().toISOString();
    const snapshot = structuredClone(record);
    chain = chain.then(() => writeJobRecord(outputHref, snapshot)).catch(() => undefined);
    return chain;
  };
  return {
    now(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      return write();
    },
    soon(): void {
      timer ??= setTimeout(() => { timer = undefined; void write(); }, 1000).unref();
    },
  };
}

/** On SIGINT/SIGTERM: record INTERRUPTED (parts written so far stay for the resume), then exit 130. */
function interruptOnSignal(record: JobRecord, saver: ReturnType<typeof createRecordSaver>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    record.status = 'INTERRUPTED';
    record.errors = [`interrupted by ${signal}`];
    delete record.runner;
    for (const p of record.partitions) if (p.status === 'RUNNING') p.status = 'PENDING';
    void saver.now().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** One worker per core; `eofn plan` assumes the same, so that it shows the partitions a run will make. */
export function defaultWorkers(): number {
  return availableParallelism();
}

async function runWithRetries(
  rec: PartitionRecord,
  attempt: () => ReturnType<ReturnType<typeof createPool>['run']>,
  retries: number,
  progress: ReturnType<typeof createProgress>,
): Promise<void> {
  for (;;) {
    rec.attempts++;
    rec.status = 'RUNNING';
    const outcome = await attempt();
    if (outcome.ok) {
      Object.assign(rec, { status: 'SUCCEEDED', seconds: round(outcome.seconds), error: undefined });
      progress.done(rec.id);
      return;
    }
    rec.error = outcome.error;
    if (outcome.permanent || rec.attempts > retries) {
      rec.status = 'FAILED';
      progress.failed(rec.id, outcome.error);
      return;
    }
    progress.retry(rec.id, rec.attempts, outcome.error);
  }
}

async function deadLetter(outputHref: string, id: string, rec: PartitionRecord): Promise<void> {
  const href = `${outputHref}/_failed/${id}.json`;
  await storageFor(href).write(href, new TextEncoder().encode(JSON.stringify(rec, null, 2) + '\n'), 'application/json');
}

function seconds(since: number): number {
  return round((performance.now() - since) / 1000);
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
