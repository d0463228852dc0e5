/**
 * Validation, item resolution and the op's own checks: everything that can reject a job before any pixel
 * is read. The result is plain JSON, so the plan step and every partition can be handed it in a message.
 *
 * @example
 * const prepared = await prepareJob(raw, 'jobs/ndvi.json');
 */
import { createHash } from 'node:crypto';
import { resolveHref } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import { canonicalJson, validateJob, type ValidJob } from '../spec/validateJob.ts';
import { resolveItems } from '../stac/resolveItems.ts';

export interface PreparedJob {
  job: ValidJob;
  /** The output folder or prefix, absolute. */
  outputHref: string;
  /** Input items as the product's STAC item links to them. */
  inputs: { id: string; href?: string; datetime: string | null }[];
  setup: unknown;
  /**
   * Hash of what this job computes (job, resolved inputs, output): parts live under `_parts/<partsKey>/`, so a
   * part is reused only by the job that wrote it, never by another job sent to the same output.
   */
  partsKey: string;
}

export async function prepareJob(raw: unknown, base?: string): Promise<PreparedJob> {
  const job = validateJob(raw);
  const items = await resolveItems(job.items, base);
  const setup = await operationOf(job.op).prepare(job, items, base);
  const outputHref = resolveHref(job.output, base).replace(/\/+$/, '');
  const inputs = items.map((i) => ({ id: i.id, href: i.href, datetime: i.datetime }));
  const partsKey = createHash('sha256').update(canonicalJson({ job, inputs, outputHref })).digest('hex').slice(0, 16);
  return { job, outputHref, inputs, setup, partsKey };
}
