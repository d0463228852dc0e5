/**
 * Validates a job and gives it its id. Every problem is listed by JSON path (`params.reducer: expected one
 * of …`) so that a partner fixes a job in one round trip.
 *
 * @example
 * const job = validateJob(JSON.parse(text)); // throws InvalidJobError listing every problem
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { InvalidJobError } from '../errors.ts';
import { parseExpression } from '../expr/parseExpression.ts';
import { JobSchema, type Job } from './jobSchema.ts';
import { OP_PARAMS } from '../ops/opParams.ts';
import { MAX_JSON_DEPTH, tooDeep } from './jsonDepth.ts';

export type ValidJob = Job & { id: string };

export function validateJob(raw: unknown): ValidJob {
  const deep = tooDeep(raw);
  if (deep) throw new InvalidJobError([`${deep}: nested deeper than ${MAX_JSON_DEPTH} levels`]);
  const parsed = JobSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : describeIssues(parsed.error.issues, raw)),
    ...expressionProblems(raw),
  ];
  if (problems.length || !parsed.success) throw new InvalidJobError(problems);
  const job = parsed.data as Job;
  return { ...job, id: job.id ?? defaultJobId(job) };
}

/** A hash of the job's content: resubmitting the same job (same op, items, params, output) finds the same id. */
export function defaultJobId(job: Omit<Job, 'id'>): string {
  const { id: _ignored, ...content } = job as Job;
  const digest = createHash('sha256').update(canonicalJson(content)).digest('hex');
  return `${job.op}-${digest.slice(0, 16)}`;
}

/** SHA-256 of a validated job's canonical JSON: two submissions under one id are the same job when equal. */
export function contentHash(job: unknown): string {
  return createHash('sha256').update(canonicalJson(job)).digest('hex');
}

/** JSON with sorted keys, so that key order in a submission does not change its identity. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function expressionProblems(job: unknown): string[] {
  const problems: string[] = [];
  const params = (job as { params?: Record<string, unknown> } | null)?.params;
  if (!params || typeof params !== 'object') return problems;
  const check = (src: string, path: string) => {
    try { parseExpression(src, path); } catch (e) { problems.push((e as Error).message); }
  };
  if (typeof params.expression === 'string') check(params.expression, 'params.expression');
  if (params.expressions && typeof params.expressions === 'object') {
    for (const [name, src] of Object.entries(params.expressions as Record<string, string>)) {
      check(src, `params.expressions.${name}`);
    }
  }
  return problems;
}

function describeIssues(issues: z.core.$ZodIssue[], raw: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length) {
      // A union (items: list or search; items[i]: href or inline item) reports each branch: the one the
      // value has the shape of says more (its issues are inside the value, not about the value's type).
      const value = at(raw, issue.path);
      const shaped = issue.errors.find((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      const branch = shaped ?? issue.errors[typeof value === 'object' && value !== null ? issue.errors.length - 1 : 0];
      out.push(...describeIssues(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), raw));
      continue;
    }
    const path = issue.path.length ? formatPath(issue.path) : '(job)';
    const message = path === 'op'
      ? `expected one of ${Object.keys(OP_PARAMS).join(', ')}, got ${JSON.stringify(at(raw, ['op']))}`
      : issue.message;
    out.push(`${path}: ${message}`);
  }
  return out;
}

function at(value: unknown, path: PropertyKey[]): unknown {
  let v = value as any;
  for (const k of path) v = v?.[k as any];
  return v;
}

function formatPath(path: PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}
