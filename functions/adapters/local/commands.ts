/** The CLI's commands: each parses nothing itself and calls the engine or the local runner. */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.ts';
import { jobJsonSchema } from '../../core/contract/jobSchema.ts';
import { validateJob } from '../../core/contract/validateJob.ts';
import { isSearch } from '../../core/contract/stacSearchSchema.ts';
import { planJob, prepareJob, readJobFile } from '../../core/engine/index.ts';
import { DEFAULT_MEMORY_MB } from '../../core/plan/memoryModel.ts';
import { scalePlan } from '../../core/plan/scalePlan.ts';
import { defaultWorkers, runJobLocally } from './runJobLocally.ts';
import { formatPlan, mergeFitFor } from './formatPlan.ts';
import { formatRunSummary, searchLine } from './formatRunSummary.ts';
import { describeRadiometry, radiometryOfSetup } from '../../core/ops/radiometryRecord.ts';
import { formatStatus } from './formatStatus.ts';
import { summarizeProduct } from './summarizeProduct.ts';
import { loadBackend } from './loadBackend.ts';
import { readJobRecord } from '../../core/engine/index.ts';
import { schemeOf } from '../../core/io/storage.ts';
import { describeRedrive, type JobStatusView } from '../shared/cliBackend.ts';
import { jobLimitsFromEnv } from '../shared/jobLimitsFromEnv.ts';
import { localMergeLimits } from './localMergeLimits.ts';

type Values = Record<string, string | boolean | undefined>;
type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Command {
  summary: string;
  args: string;
  options: OptionSpec;
  run(values: Values, positionals: string[]): Promise<number>;
}

const runOptions: OptionSpec = {
  memory: { type: 'string' }, workers: { type: 'string' }, retries: { type: 'string' },
  output: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' },
};

const DEMO_JOB = fileURLToPath(new URL('../../../sample-data/jobs/ndvi-demo.json', import.meta.url));

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run a job on this machine (worker threads); re-running resumes',
    args: '<job.json> [--memory MB] [--workers N] [--retries N] [--output DIR] [--force]',
    options: runOptions,
    async run(v, [jobHref]) {
      if (!jobHref) throw new UsageError('which job? give the path or URL of a job file');
      return report(await runJobLocally({ jobHref, ...runArgs(v) }));
    },
  },
  demo: {
    summary: 'run a real NDVI job on the Sentinel-2 sample data shipped in the repo',
    args: '[--output DIR] [--memory MB] [--workers N]',
    options: runOptions,
    async run(v) {
      const output = resolve(String(v.output ?? 'eofn-demo'));
      process.stderr.write(`eofn demo: median NDVI of 5 Sentinel-2 L2A dates (tile 33TWM, Aug 2023), clouds masked with SCL\n`);
      const result = await runJobLocally({ jobHref: DEMO_JOB, ...runArgs(v), output, force: true });
      const code = report(result);
      if (code === 0) process.stdout.write(`  median NDVI: ${await summarizeProduct(`${result.prepared.outputHref}/result.tif`)}\n  open preview.png to see it, or result.tif in QGIS\n`);
      return code;
    },
  },
  plan: {
    summary: 'print the partitions of a job and each one\'s estimated peak memory',
    args: `<job.json> [--memory MB (default ${DEFAULT_MEMORY_MB})] [--workers N] [--concurrency N (default 1000)] [--json]`,
    options: { memory: { type: 'string' }, workers: { type: 'string' }, concurrency: { type: 'string' }, json: { type: 'boolean' } },
    async run(v, [jobHref]) {
      if (!jobHref) throw new UsageError('which job? give the path or URL of a job file');
      const { raw, base } = await readJobFile(jobHref);
      const prepared = await prepareJob(raw, base);
      const workers = count(v.workers, 'workers', 1) ?? defaultWorkers();
      const concurrency = count(v.concurrency, 'concurrency', 1);
      const planOptions = { memoryMb: megabytes(v.memory), minPartitions: workers, limits: jobLimitsFromEnv(process.env, localMergeLimits()) };
      const plan = planJob(prepared, planOptions);
      const mergeFitMb = mergeFitFor(prepared, plan, planOptions);
      process.stdout.write(v.json ? JSON.stringify({ ...plan, workers, scale: scalePlan(plan, { concurrency }), ...(mergeFitMb ? { mergeFitMb } : {}) }, null, 2) + '\n' : formatPlan(plan, workers, { concurrency, mergeFitMb }));
      if (!v.json && prepared.search) process.stdout.write(`${searchLine(prepared.search)}\n`);
      if (!v.json) for (const line of describeRadiometry(radiometryOfSetup(prepared.setup))) process.stdout.write(`values: ${line}\n`);
      return 0;
    },
  },
  validate: {
    summary: 'check a job: schema, expressions, its items, and every asset it names (headers only, no pixels)',
    args: '<job.json> [--schema-only]',
    options: { 'schema-only': { type: 'boolean' } },
    async run(v, [jobHref]) {
      if (!jobHref) throw new UsageError('which job? give the path or URL of a job file');
      const { raw, base } = await readJobFile(jobHref);
      const checked = validateJob(raw);
      // A search is an outside call with a cost: validate checks it but does not send it.
      if (isSearch(checked.items)) {
        process.stdout.write(`valid: ${checked.op} job ${checked.id} (items: a search of ${checked.items.search.url}, sent when the job is planned or run)\n`);
        return 0;
      }
      if (v['schema-only']) {
        process.stdout.write(`valid: ${checked.op} job ${checked.id} (schema and expressions only)\n`);
        return 0;
      }
      // The same checks a run makes before any work: items resolved (a search sent), assets and mask classes checked.
      const { job, inputs } = await prepareJob(raw, base);
      process.stdout.write(`valid: ${job.op} job ${job.id} (${inputs.length} item(s), every asset it names checked)\n`);
      return 0;
    },
  },
  submit: {
    summary: 'send a job to a deployment (AWS: the jobs queue; DIAS: the jobs function)',
    args: '<job.json> --backend aws|dias',
    options: { backend: { type: 'string' } },
    async run(v, [jobHref]) {
      if (!jobHref) throw new UsageError('which job? give the path or URL of a job file');
      const id = await (await loadBackend(v.backend as string | undefined)).submit(jobHref);
      process.stdout.write(`submitted job ${id}\n`);
      return 0;
    },
  },
  status: {
    summary: 'progress of a job: partitions done/failed/total and each failure (a local output folder, or --backend)',
    args: '<job id | output folder or s3:// prefix> [--backend aws|dias]',
    options: { backend: { type: 'string' }, json: { type: 'boolean' } },
    async run(v, [target]) {
      if (!target) throw new UsageError('which job? give a job id (with --backend) or a local output folder');
      const view = v.backend || process.env.EOFN_BACKEND
        ? await (await loadBackend(v.backend as string | undefined)).status(target)
        : await localStatus(target);
      if (!view) {
        process.stderr.write(`eofn: no job ${target}\n`);
        return 2;
      }
      process.stdout.write(v.json ? JSON.stringify(view, null, 2) + '\n' : formatStatus(view, process.stdout.isTTY));
      return view.status === 'FAILED' || view.status === 'INVALID' || view.status === 'INTERRUPTED' ? 1 : 0;
    },
  },
  redrive: {
    summary: 'send the failed and dead-lettered partitions of a job again (locally: eofn run resumes)',
    args: '<job id> --backend aws|dias',
    options: { backend: { type: 'string' } },
    async run(v, [jobId]) {
      if (!jobId) throw new UsageError('which job? give its id');
      const sent = await (await loadBackend(v.backend as string | undefined)).redrive(jobId);
      process.stdout.write(`${describeRedrive(jobId, sent)}\n`);
      return 0;
    },
  },
  schema: {
    summary: 'print the job contract as JSON Schema',
    args: '',
    options: {},
    async run() {
      process.stdout.write(JSON.stringify(jobJsonSchema(), null, 2) + '\n');
      return 0;
    },
  },
};

/** The job.json of a local folder or an `s3://` output; a RUNNING record whose process is gone was interrupted. */
async function localStatus(target: string): Promise<JobStatusView | undefined> {
  const output = schemeOf(target) === 'file' ? resolve(target) : target.replace(/\/+$/, '');
  const record = await readJobRecord(output);
  if (!record) return undefined;
  const gone = record.status === 'RUNNING' && record.runner?.host === hostname() && !processAlive(record.runner.pid);
  return {
    id: record.id, op: record.op, status: gone ? 'INTERRUPTED' : record.status === 'PLANNED' ? 'RUNNING' : record.status,
    total: record.partitions.length,
    done: record.partitions.filter((p) => p.status === 'SUCCEEDED').length,
    failed: record.partitions.filter((p) => p.status === 'FAILED').length,
    output,
    partitions: record.partitions.map((p) => ({ id: p.id, status: p.status, attempts: p.attempts, error: p.error })),
    errors: gone ? [...record.errors, `the run (pid ${record.runner!.pid}) ended before the job settled`] : record.errors,
    ...(record.resume ? { resume: record.resume } : {}),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runArgs(v: Values) {
  return {
    memoryMb: megabytes(v.memory), workers: count(v.workers, 'workers', 1), retries: count(v.retries, 'retries', 0),
    output: v.output === undefined ? undefined : String(v.output), force: !!v.force, quiet: !!v.quiet,
  };
}

function megabytes(v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--memory expects a positive number of MB, got "${v}"`);
  return n;
}

/** An integer option of at least `min`: `--workers 0` is refused, `--retries 0` (no retry) is not. */
function count(v: string | boolean | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects ${min === 0 ? 'a whole number, 0 or more' : 'a whole number, 1 or more'}, got "${v}"`);
  return n;
}

function report(result: Awaited<ReturnType<typeof runJobLocally>>): number {
  process.stdout.write(formatRunSummary(result));
  return result.record.status === 'SUCCEEDED' ? 0 : 1;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  eofn ${name} ${c.args}\n      ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n  eofn --version\n\nAny command takes --debug (a stack with each error) and --help.\n`;
}

export function commandUsage(name: string): string {
  const c = COMMANDS[name];
  return `usage: eofn ${name} ${c.args}\n  ${c.summary}\n`;
}
