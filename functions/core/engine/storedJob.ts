/**
 * The prepared job and its plan, stored once under the job's output (`_eofn/`), so that partition and
 * finalize messages can name them instead of carrying them. Written with deterministic bytes: a job that is
 * accepted twice writes the same objects.
 *
 * @example
 * const ref = await storePrepared(prepared, plan);
 * const { prepared, plan } = await loadPrepared(ref);
 */
import { storageFor } from '../io/storage.ts';
import type { PreparedJob } from './prepareJob.ts';
import type { JobPlan } from './planJob.ts';
import type { StacItem } from '../spec/stacItemSchema.ts';

export interface StoredJob {
  prepared: PreparedJob;
  plan: JobPlan;
}

export function preparedRefOf(outputHref: string): string {
  return `${outputHref}/_eofn/prepared.json`;
}

export async function storePrepared(prepared: PreparedJob, plan: JobPlan): Promise<string> {
  const href = preparedRefOf(prepared.outputHref);
  const body: StoredJob = { prepared: withoutSearchItems(prepared), plan };
  if (prepared.search?.items) {
    // The items a search found (megabytes for a large search) go beside the prepared job: only a re-run reads them.
    const itemsHref = body.prepared.search!.itemsRef!;
    await storageFor(itemsHref).write(itemsHref, new TextEncoder().encode(JSON.stringify(prepared.search.items)), 'application/json');
  }
  await storageFor(href).write(href, new TextEncoder().encode(JSON.stringify(body)), 'application/json');
  return href;
}

export async function loadPrepared(ref: string): Promise<StoredJob> {
  const bytes = await storageFor(ref).readAll(ref);
  return JSON.parse(new TextDecoder().decode(bytes)) as StoredJob;
}

/** The prepared job as partitions need it: a search's items replaced by where they are stored. */
export function withoutSearchItems(prepared: PreparedJob): PreparedJob {
  if (!prepared.search?.items) return prepared;
  const { items: _items, ...search } = prepared.search;
  return { ...prepared, search: { ...search, itemsRef: `${prepared.outputHref}/_eofn/search-items.json` } };
}

export async function loadSearchItems(ref: string): Promise<StacItem[]> {
  return JSON.parse(new TextDecoder().decode(await storageFor(ref).readAll(ref))) as StacItem[];
}
