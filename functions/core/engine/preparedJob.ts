/**
 * What `prepareJob` returns: the validated job, its resolved inputs and the op's setup, plain JSON so that
 * it travels in messages and is stored beside the output (`storedJob.ts`). Its own file so that the store
 * and the planner need nothing from `prepareJob.ts`, which uses the store.
 *
 * @example
 * const prepared: PreparedJob = await prepareJob(raw, 'jobs/ndvi.json');
 * prepared.partsKey; // e.g. '3f2a…'
 */
import type { StacItem } from '../contract/stacItemSchema.ts';
import type { ValidJob } from '../contract/validateJob.ts';

export interface PreparedJob {
  job: ValidJob;
  /** The output folder or prefix, absolute. */
  outputHref: string;
  /** Input items as the product's STAC item links to them. */
  inputs: { id: string; href?: string; datetime: string | null }[];
  /**
   * When `items` is a search: what it found, kept so that a re-run uses the same items. The items travel
   * only until the job is stored: `storePrepared` writes them beside the prepared job (`itemsRef`), so that
   * partitions do not load them.
   */
  search?: SearchRecord;
  setup: unknown;
  /**
   * Hash of what this job computes (job, resolved inputs, output): parts live under `_parts/<partsKey>/`, so a
   * part is reused only by the job that wrote it, never by another job sent to the same output.
   */
  partsKey: string;
  /** Where the job document came from, kept when its tiles are prepared later, one `plan-tile` message each. */
  base?: string;
}

export interface SearchRecord {
  endpoint: string;
  pages: number;
  searched: string;
  found: number;
  items?: StacItem[];
  itemsRef?: string;
}
