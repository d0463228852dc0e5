/**
 * The merge step: assemble the parts into the product and describe it with a STAC item linked to its
 * inputs. Writes `result.tif` (or the op's table), `preview.png` and `item.json` under the job's output, and
 * deletes the files of a dataset folder (`table/`) that the product does not list (`pruneDatasets`).
 *
 * @example
 * const summary = await finalizeJob(prepared, plan);
 */
import { lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemeOf, storageFor, writeStreamTo } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import type { ProductSink, ProductSummary } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';
import type { JobPlan } from './planJob.ts';
import { partStore } from './partitions.ts';
import { productItem } from './productItem.ts';
import { pruneDatasets } from './pruneDatasets.ts';
import { writeTileProducts } from './tileProducts.ts';

export async function finalizeJob(prepared: PreparedJob, plan: JobPlan): Promise<ProductSummary> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'eofn-merge-'));
  try {
    const sink = productSink(prepared.outputHref, scratchDir);
    const merged = await operationOf(prepared.job.op).merge(prepared.setup, plan.partitions, partStore(prepared), sink);
    const summary = merged.tiles ? await writeTileProducts(prepared, merged, sink) : merged;
    // Before the item: a product whose item is written holds no file of an earlier run's plan.
    await pruneDatasets(prepared.outputHref, summary);
    const item = productItem(prepared, summary);
    await sink.write('item.json', new TextEncoder().encode(JSON.stringify(item, null, 2) + '\n'), 'application/geo+json');
    return summary;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

function productSink(outputHref: string, scratchDir: string): ProductSink {
  return {
    outputHref,
    scratchDir,
    async write(name, bytes, contentType) {
      const href = `${outputHref}/${name}`;
      await storageFor(href).write(href, bytes, contentType);
      return `./${name}`;
    },
    async writeFile(name, localPath, contentType) {
      const href = `${outputHref}/${name}`;
      // A scratch file bound for a local output is moved, not copied (a tile's COG is hundreds of MB);
      // rename is atomic, and across filesystems the storage's own copy takes over.
      if (schemeOf(href) === 'file') {
        const target = href.startsWith('file://') ? fileURLToPath(href) : href;
        await mkdir(dirname(target), { recursive: true });
        // Never through a folder that is a link: the storage's own write refuses that with a clear error.
        const linked = (await lstat(dirname(target))).isSymbolicLink();
        const moved = !linked && await rename(localPath, target).then(() => true, () => false);
        if (moved) return `./${name}`;
      }
      await storageFor(href).writeFile(href, localPath, contentType);
      return `./${name}`;
    },
    async writeStream(name, body, contentType) {
      const href = `${outputHref}/${name}`;
      await writeStreamTo(storageFor(href), href, body, contentType);
      return `./${name}`;
    },
  };
}
