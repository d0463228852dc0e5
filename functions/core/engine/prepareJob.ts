/**
 * Validation, item resolution and the op's own checks: everything that can reject a job before any pixel
 * is read. The result is plain JSON, so the plan step and every partition can be handed it in a message.
 *
 * @example
 * const prepared = await prepareJob(raw, 'jobs/ndvi.json');
 */
import { InputError } from '../errors.ts';
import { resolveHref } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import { validateJob, type ValidJob } from '../spec/validateJob.ts';
import { resolveItems } from '../stac/resolveItems.ts';

export interface PreparedJob {
  job: ValidJob;
  /** The output folder or prefix, absolute. */
  outputHref: string;
  /** Input items as the product's STAC item links to them. */
  inputs: { id: string; href?: string; datetime: string | null }[];
  setup: unknown;
}

export async function prepareJob(raw: unknown, base?: string): Promise<PreparedJob> {
  const job = validateJob(raw);
  const items = await resolveItems(job.items, base);
  // The product's STAC item needs a datetime or a range, and only the inputs can give it one.
  if (!items.some((i) => i.datetime)) {
    throw new InputError('items', `none of the ${items.length} item(s) has a date: a GeoTIFF needs TIFFTAG_DATETIME, ACQUISITION_DATE or SECOND_DATE in its metadata, or give a STAC item with properties.datetime`);
  }
  const setup = await operationOf(job.op).prepare(job, items, base);
  return {
    job,
    outputHref: resolveHref(job.output, base).replace(/\/+$/, ''),
    inputs: items.map((i) => ({ id: i.id, href: i.href, datetime: i.datetime })),
    setup,
  };
}
