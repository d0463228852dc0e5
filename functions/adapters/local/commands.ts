/** The CLI's commands: each parses nothing itself and calls the engine or the local runner. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jobJsonSchema } from '../../core/spec/jobSchema.ts';
import { validateJob } from '../../core/spec/validateJob.ts';
import { planJob, prepareJob, readJobFile } from '../../core/engine/index.ts';
import { DEFAULT_MEMORY_MB } from '../../core/plan/memoryModel.ts';
import { runJobLocally } from './runJobLocally.ts';
import { formatPlan } from './formatPlan.ts';
import { formatRunSummary } from './formatRunSummary.ts';

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

export const DEMO_JOB = fileURLToPath(new URL('../../../sample-data/jobs/ndvi-demo.json', import.meta.url));

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run a job on this machine (worker threads); re-running resumes',
    args: '<job.json> [--memory MB] [--workers N] [--retries N] [--output DIR] [--force]',
    options: runOptions,
    async run(v, [jobHref]) {
      if (!jobHref) throw new Error('usage: eofn run <job.json>');
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
      return report(await runJobLocally({ jobHref: DEMO_JOB, ...runArgs(v), output, force: true }));
    },
  },
  plan: {
    summary: 'print the partitions of a job and each one\'s estimated peak memory',
    args: `<job.json> [--memory MB (default ${DEFAULT_MEMORY_MB})] [--workers N] [--json]`,
    options: { memory: { type: 'string' }, workers: { type: 'string' }, json: { type: 'boolean' } },
    async run(v, [jobHref]) {
      if (!jobHref) throw new Error('usage: eofn plan <job.json>');
      const { raw, base } = await readJobFile(jobHref);
      const prepared = await prepareJob(raw, base);
      const plan = planJob(prepared, { memoryMb: num(v.memory, 'memory'), minPartitions: num(v.workers, 'workers') });
      process.stdout.write(v.json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan));
      return 0;
    },
  },
  validate: {
    summary: 'check a job against the schema (and its expression) without reading any data',
    args: '<job.json>',
    options: {},
    async run(_v, [jobHref]) {
      if (!jobHref) throw new Error('usage: eofn validate <job.json>');
      const job = validateJob((await readJobFile(jobHref)).raw);
      process.stdout.write(`valid: ${job.op} job ${job.id}\n`);
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

function runArgs(v: Values) {
  return {
    memoryMb: num(v.memory, 'memory'), workers: num(v.workers, 'workers'), retries: num(v.retries, 'retries'),
    output: v.output === undefined ? undefined : String(v.output), force: !!v.force, quiet: !!v.quiet,
  };
}

function num(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} expects a positive number, got "${v}"`);
  return n;
}

function report(result: Awaited<ReturnType<typeof runJobLocally>>): number {
  process.stdout.write(formatRunSummary(result));
  return result.record.status === 'SUCCEEDED' ? 0 : 1;
}

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  eofn ${name} ${c.args}\n      ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}
