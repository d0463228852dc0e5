/**
 * A `slow://` scheme over local files whose range reads each wait `delayMs`: a local run then takes long
 * enough to be watched (job.json during the run) or interrupted, with the real engine and worker code.
 * Run as a script it is a child `eofn run` over slow inputs: `node test/helpers/slowStorage.ts <output> <delayMs>`.
 *
 * @example
 * registerSlowStorage(20);
 * const job = ndviJob({}, SAMPLE_ITEM_IDS.map((id) => `slow:/${sampleItemPath(id)}`));
 */
import { storageFor } from '../../functions/core/io/storage.ts';
import { registerSchemeOverFiles } from './schemeOverFiles.ts';
import { registerLocalStorages } from '../../functions/adapters/local/registerLocalStorages.ts';
import { runJobLocally } from '../../functions/adapters/local/runJobLocally.ts';
import { ndviJob, SAMPLE_ITEM_IDS, sampleItemPath } from './sampleJobs.ts';

export function registerSlowStorage(delayMs: number): void {
  registerLocalStorages();
  registerSchemeOverFiles('slow', storageFor('/'), (read) => async (href, offset, length) => {
    await new Promise((r) => setTimeout(r, delayMs));
    return read(href, offset, length);
  });
}

/** The NDVI demo over `slow://` inputs: 8 partitions at `--memory 161`. */
export function slowNdviJob(): Record<string, unknown> {
  return ndviJob({ reducer: 'mean' }, SAMPLE_ITEM_IDS.map((id) => `slow:/${sampleItemPath(id)}`));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [output, delay] = process.argv.slice(2);
  registerSlowStorage(Number(delay));
  await runJobLocally({ job: { raw: slowNdviJob() }, output, workers: 1, memoryMb: 161, quiet: true });
}
