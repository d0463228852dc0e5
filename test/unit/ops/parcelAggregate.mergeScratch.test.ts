/**
 * parcel-aggregate's merge needs no local scratch disk: the partitions wrote the table, and the merge only adds
 * up their summaries and draws the previews in memory. The plan says 0 (so EOFN_MAX_MERGE_SCRATCH_MB never
 * refuses it), and a merge run against a watched scratch folder leaves it empty and uploads no file.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partStore, planJob } from '../../../functions/core/engine/index.ts';
import { operationOf } from '../../../functions/core/ops/registry.ts';
import type { ProductSink } from '../../../functions/core/ops/types.ts';
import { DK_ITEMS, ROOT, runParcelJob } from './parcelTestKit.ts';

const DK = { parcels: `${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, idProperty: ['Journalnr', 'Marknr'], assets: ['value'] };

describe('parcel-aggregate merge scratch', () => {
  it('plans 0 bytes of merge scratch and its merge touches no scratch file', async () => {
    // Prepare: a job cut into partitions, their parts written
    const { prepared, plan } = await runParcelJob(DK, DK_ITEMS, { minPartitions: 3 });
    const scratchDir = mkdtempSync(join(tmpdir(), 'eofn-merge-scratch-'));
    const written: string[] = [];
    const sink: ProductSink = {
      outputHref: prepared.outputHref, scratchDir,
      async write(name) { written.push(name); return `./${name}`; },
      async writeFile(name) { throw new Error(`the merge uploaded a scratch file as ${name}`); },
      async writeStream(name) { throw new Error(`the merge streamed ${name}`); },
    };
    // Act
    const summary = await operationOf('parcel-aggregate').merge(prepared.setup, plan.partitions, partStore(prepared), sink);
    // Assess
    expect(plan.partitions.length).toBeGreaterThanOrEqual(3);
    expect(plan.mergeScratchBytes).toBe(0);
    expect(planJob(prepared, { limits: { maxMergeScratchBytes: 0 } }).mergeScratchBytes).toBe(0);
    expect(readdirSync(scratchDir)).toEqual([]);
    expect(written.sort()).toEqual(['histogram.png', 'preview.png']);
    expect(summary.assets.data['eofn:files']).toHaveLength(plan.partitions.length);
    expect(plan.mergeHolds).toBe("the partitions' summaries and the previews' sample of values (the partitions wrote the table themselves)");
  });
});
