/**
 * A job's scratch under its output: `_parts/` (partition results), `_eofn/` (the prepared job and plan that
 * messages point at) and `_failed/` (local dead letters). They matter only until the product exists, so every
 * backend removes them once the product is written and the job is recorded SUCCEEDED; a failed job keeps them
 * for `eofn redrive` or a re-run.
 *
 * @example
 * await removeScratch('s3://results/ndvi-33TWM'); // deletes s3://results/ndvi-33TWM/_parts/…, /_eofn/…
 */
import { storageFor } from '../io/storage.ts';

export const SCRATCH_FOLDERS = ['_parts', '_eofn', '_failed'] as const;

export async function removeScratch(outputHref: string, folders: readonly string[] = SCRATCH_FOLDERS): Promise<void> {
  for (const folder of folders) {
    const prefix = `${outputHref}/${folder}`;
    await storageFor(prefix).removeAll(prefix);
  }
}
