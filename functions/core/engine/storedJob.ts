/**
 * The prepared job and its plan, stored once under the job's output (`_eofn/`), so that partitions and
 * finalize can read them instead of carrying them. Written with deterministic bytes, in exact JSON
 * (`exactJson.ts`: NaN nodata stays NaN): a job that is accepted twice writes the same objects. The SHA-256
 * of those bytes is kept in the job's state record, and a reader checks it: a prepared file swapped by anyone
 * who can write the output prefix is refused.
 *
 * @example
 * const { href, digest } = await storePrepared(prepared, plan);
 * const { prepared, plan } = await loadPrepared(href, digest);
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import type { PreparedJob } from './preparedJob.ts';
import type { JobPlan } from '../plan/types.ts';
import { fromExactJson, toExactJson } from './exactJson.ts';
import type { StacItem } from '../contract/stacItemSchema.ts';

export interface StoredJob {
  prepared: PreparedJob;
  plan: JobPlan;
  /**
   * A multi-tile job whose partitions are stored per tile (`tilePlans.ts`): `prepared.setup` is the tile list
   * without the tiles' setups and `plan.partitions` is empty; each tile's plan is recorded in the job's state.
   */
  tilePlans?: true;
}

export interface StoredRef {
  href: string;
  /** Hex SHA-256 of the stored bytes. */
  digest: string;
}

export function preparedRefOf(outputHref: string): string {
  return `${outputHref}/_eofn/prepared.json`;
}

export async function storePrepared(prepared: PreparedJob, plan: JobPlan, options: { tilePlans?: boolean } = {}): Promise<StoredRef> {
  const href = preparedRefOf(prepared.outputHref);
  const body: StoredJob = { prepared: withoutSearchItems(prepared), plan, ...(options.tilePlans ? { tilePlans: true as const } : {}) };
  if (prepared.search?.items) {
    // The items a search found (megabytes for a large search) go beside the prepared job: only a re-run reads them.
    const itemsHref = body.prepared.search!.itemsRef!;
    await storageFor(itemsHref).write(itemsHref, new TextEncoder().encode(JSON.stringify(prepared.search.items)), 'application/json');
  }
  const bytes = new TextEncoder().encode(toExactJson(body));
  await storageFor(href).write(href, bytes, 'application/json');
  return { href, digest: digestOf(bytes) };
}

/** Reads the prepared job; with `digest`, refuses bytes other than those the jobs function stored. */
export async function loadPrepared(ref: string, digest?: string): Promise<StoredJob> {
  const bytes = await storageFor(ref).readAll(ref);
  if (digest !== undefined && digestOf(bytes) !== digest) {
    throw new InputError(ref, 'the prepared job does not match the one recorded when the job was planned (changed since); refusing to run it');
  }
  return fromExactJson<StoredJob>(new TextDecoder().decode(bytes));
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

function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
