/**
 * The setup every fan-out test shares: a fan-out job's inputs in a temporary folder, and the products
 * `eofn run` makes of it, which each emulated pipeline's products must equal byte for byte. It registers
 * its own `beforeAll`/`afterAll`; read the fields inside the tests.
 *
 * @example
 * const fixture = withFanoutReference('eofn-tiles-aws-', 4, 3);
 * it('…', async () => { const report = await runAwsFanout(fixture.inputs, { lanes: 4 }); … fixture.reference['result.tif'] … });
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { makeFanoutInputs, type FanoutInputs } from './fanoutInputs.ts';

export interface FanoutFixture {
  inputs: FanoutInputs;
  /** `eofn run`'s products by key (`result.tif`, or `tiles/<tile>/result.tif` …). */
  reference: Record<string, Buffer>;
}

export function withFanoutReference(prefix: string, blocks: number, tiles?: number): FanoutFixture {
  const fixture = { reference: {} } as FanoutFixture;
  let dir: string | undefined;
  beforeAll(async () => {
    registerLocalStorages();
    dir = await mkdtemp(join(tmpdir(), prefix));
    fixture.inputs = await makeFanoutInputs(dir, blocks, tiles);
    await writeFile(join(dir, 'job.json'), JSON.stringify(fixture.inputs.job('.', join(dir, 'ref'), 'fanout-ref')));
    await runJobLocally({ jobHref: join(dir, 'job.json'), output: join(dir, 'ref'), workers: 1, quiet: true });
    for (const key of fixture.inputs.products) fixture.reference[key] = await readFile(join(dir, 'ref', key));
  }, 120_000);
  afterAll(async () => {
    registerLocalStorages();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return fixture;
}
