/**
 * Leaves exactly the product's files in a dataset folder. Partitions write their own files of a dataset
 * (`table/<partition id>.parquet`); a job re-run into the same output with another plan (another `--memory`,
 * so other partition ids) would leave the old run's files beside the new ones, and a reader that globs the
 * folder (`read_parquet('out/table/*.parquet')`) would count their rows twice. The finalize therefore
 * deletes every object under the folder that the product item does not list. Only the folder named by the
 * asset, inside the output, is listed; a missing object is not an error, so a finalize that runs twice is fine.
 *
 * @example
 * await pruneDatasets('s3://results/parcels', summary); // deletes table/<old partition>.parquet
 */
import { resolve } from 'node:path';
import { pathOf } from '../io/fileStorage.ts';
import { schemeOf, storageFor } from '../io/storage.ts';
import type { ProductSummary } from '../ops/types.ts';

/** A folder the product names relative to its output: plain names only, never `..` nor an absolute path. */
const SAFE_FOLDER = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** The hrefs it deleted, in listing order (empty when the folder holds only the product's files). */
export async function pruneDatasets(outputHref: string, summary: ProductSummary): Promise<string[]> {
  const removed: string[] = [];
  for (const asset of Object.values(summary.assets)) {
    const files = asset['eofn:files'];
    if (!Array.isArray(files)) continue;
    const folder = asset.href.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!SAFE_FOLDER.test(folder)) throw new Error(`dataset asset ${asset.href}: not a folder inside the output; nothing deleted`);
    removed.push(...await pruneFolder(outputHref, folder, files.map((f) => `${outputHref}/${String(f).replace(/^\.\//, '')}`)));
  }
  return removed;
}

async function pruneFolder(outputHref: string, folder: string, keep: string[]): Promise<string[]> {
  const prefix = `${outputHref}/${folder}/`;
  const storage = storageFor(prefix);
  const root = canonical(prefix);
  const kept = new Set(keep.map(canonical));
  const removed: string[] = [];
  for (const href of await storage.list(prefix)) {
    const at = canonical(href);
    // A listing is the storage's word; the prefix check keeps a delete inside the folder whatever it says.
    if (!at.startsWith(root) || kept.has(at)) continue;
    await storage.remove(href);
    removed.push(href);
  }
  return removed;
}

/** One spelling per object: local paths resolved (`out/./table/x` and `file:///…/out/table/x` alike). */
function canonical(href: string): string {
  if (schemeOf(href) !== 'file') return href;
  const path = resolve(pathOf(href));
  return href.endsWith('/') ? `${path}/` : path;
}
