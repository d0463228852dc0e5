/**
 * A multi-tile job on the AWS emulators (fauxqs SQS/S3, dynalite; the real jobs, op and finalize handlers),
 * planned a tile at a time: by the jobs function, tile after tile, and fanned out as one `plan-tile` message
 * per tile. Every plan-tile and partition message is delivered twice and one partition fails until it is
 * redriven: each partition completes once, the job is merged once, and every tile's COG equals `eofn run`'s.
 * A parcel-aggregate job over the same tiles, fanned out, with an unindexed GeoJSON parcel file past the size
 * that is converted: the jobs stage converts it once (each jobs delivery a process of its own, so a plan-tile
 * that converted again would write it again), and the table read back holds `eofn run`'s rows.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { withDerivedReference, withFanoutReference } from '../../helpers/fanout/withFanoutReference.ts';
import { PARCEL_FILE, parcelJobOver } from '../../helpers/fanout/parcelFanoutInputs.ts';
import { expectParcelProducts } from '../../helpers/fanout/expectParcelProducts.ts';
import { runAwsFanout } from '../../helpers/fanout/awsFanout.ts';

const fixture = withFanoutReference('eofn-tiles-aws-', 4, 3);

describe('a job of 3 tiles and 48 partitions on the AWS emulators', () => {
  it.each([
    ['fanned out: one plan-tile message per tile', 2, 6],
    ['in the jobs function, tile after tile', 4, 0],
  ])('planned %s: every partition once, one merge, the products of eofn run', async (_how, planFanOutTiles, planTiles) => {
    // Act
    const report = await runAwsFanout(fixture.inputs, { lanes: 4, rate: 0.03, broken: 1, planFanOutTiles });
    registerLocalStorages();

    // Assess
    expect(report).toMatchObject({ status: 'SUCCEEDED', partitions: 48, done: 48, failed: 0, merges: 1, maxCompletedRuns: 1, completedOnce: 48, planTiles });
    expect(report.finishes).toEqual(['FAILED', 'SUCCEEDED']);
    expect(Object.keys(report.products).sort()).toEqual([...fixture.inputs.products].sort());
    for (const key of fixture.inputs.products) expect(Buffer.from(report.products[key]).equals(fixture.reference[key]), key).toBe(true);
  }, 300_000);
});

describe('a parcel-aggregate job of 3 tiles on the AWS emulators, planned fanned out', () => {
  const parcels = withDerivedReference(fixture, parcelJobOver, 'parcels');

  it('converts its GeoJSON parcel file once, in the jobs stage, and writes the rows of eofn run', async () => {
    // Prepare
    expect((await stat(join(parcels.inputs.dir, PARCEL_FILE))).size).toBeGreaterThan(256 * 1024);
    const converted: string[] = [];
    const watchWrites = (href: string) => { if (href.includes('/_eofn/parcels-')) converted.push(href); };

    // Act
    const report = await runAwsFanout(parcels.inputs, { lanes: 2, rate: 0, broken: 0, planFanOutTiles: 1, freshJobsProcess: true, watchWrites });
    registerLocalStorages();

    // Assess
    expect(report).toMatchObject({ status: 'SUCCEEDED', partitions: 3, done: 3, failed: 0, merges: 1, maxCompletedRuns: 1, completedOnce: 3, planTiles: 6 });
    await expectParcelProducts(report.products, parcels.reference, converted);
  }, 120_000);
});
