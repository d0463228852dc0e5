/**
 * The prepared job and its plan, stored once under the job's output (`_eofn/`), so that partition and
 * finalize messages can name them instead of carrying them. Written with deterministic bytes: a job that is
 * accepted twice writes the same objects, in exact JSON (`exactJson.ts`): NaN nodata stays NaN.
 *
 * @example
 * const ref = await storePrepared(prepared, plan);
 * const { prepared, plan } = await loadPrepared(ref);
 */
import { storageFor } from '../io/storage.ts';
import type { PreparedJob } from './prepareJob.ts';
import type { JobPlan } from './planJob.ts';
import { fromExactJson, toExactJson } from './exactJson.ts';

export interface StoredJob {
  prepared: PreparedJob;
  plan: JobPlan;
}

export function preparedRefOf(outputHref: string): string {
  return `${outputHref}/_eofn/prepared.json`;
}

export async function storePrepared(prepared: PreparedJob, plan: JobPlan): Promise<string> {
  const href = preparedRefOf(prepared.outputHref);
  const body: StoredJob = { prepared, plan };
  await storageFor(href).write(href, new TextEncoder().encode(toExactJson(body)), 'application/json');
  return href;
}

export async function loadPrepared(ref: string): Promise<StoredJob> {
  const bytes = await storageFor(ref).readAll(ref);
  return fromExactJson<StoredJob>(new TextDecoder().decode(bytes));
}
