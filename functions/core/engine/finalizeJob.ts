/**
 * The merge step: assemble the parts into the product and describe it with a STAC item linked to its
 * inputs. Writes `result.tif` (or the op's table), `preview.png` and `item.json` under the job's output.
 *
 * @example
 * const summary = await finalizeJob(prepared, plan);
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageFor } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import type { ProductSink, ProductSummary } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';
import type { JobPlan } from './planJob.ts';
import { readPart } from './partitions.ts';
import { productItem } from './productItem.ts';

export async function finalizeJob(prepared: PreparedJob, plan: JobPlan): Promise<ProductSummary> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'eofn-merge-'));
  try {
    const sink = productSink(prepared.outputHref, scratchDir);
    const summary = await operationOf(prepared.job.op).merge(prepared.setup, plan.partitions, readPart(prepared.outputHref), sink);
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
      await storageFor(href).writeFile(href, localPath, contentType);
      return `./${name}`;
    },
  };
}
