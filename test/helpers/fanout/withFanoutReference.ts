/**
 * The setup every fan-out test shares: a fan-out job's inputs in a temporary folder, and the products
 * `eofn run` makes of it, which each emulated pipeline's products must equal. It registers its own
 * `beforeAll`/`afterAll`; read the fields inside the tests. `withDerivedReference` makes another job of the
 * same inputs (a parcel job over the same tiles) and its reference, without writing the tiles again.
 *
 * @example
 * const fixture = withFanoutReference('eofn-tiles-aws-', 4, 3);
 * it('…', async () => { const report = await runAwsFanout(fixture.inputs, { lanes: 4 }); … fixture.reference['result.tif'] … });
 * const parcels = withDerivedReference(fixture, (inputs) => parcelJobOver(inputs), 'parcels');
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { isProduct, makeFanoutInputs, type FanoutInputs } from './fanoutInputs.ts';

export interface FanoutFixture {
  inputs: FanoutInputs;
  /** `eofn run`'s products by key (`result.tif`, or `tiles/<tile>/result.tif`, `table/<file>.parquet` …). */
  reference: Record<string, Buffer>;
}

export function withFanoutReference(prefix: string, blocks: number, tiles?: number): FanoutFixture {
  const fixture = { reference: {} } as FanoutFixture;
  let dir: string | undefined;
  beforeAll(async () => {
    registerLocalStorages();
    dir = await mkdtemp(join(tmpdir(), prefix));
    fixture.inputs = await makeFanoutInputs(dir, blocks, tiles);
    fixture.reference = await referenceOf(fixture.inputs, 'ref');
  }, 120_000);
  afterAll(async () => {
    registerLocalStorages();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return fixture;
}

/** Another job of `base`'s inputs (in its folder, removed with it) and `eofn run`'s products of it, under `<dir>/<name>`. */
export function withDerivedReference(base: FanoutFixture, derive: (inputs: FanoutInputs) => Promise<FanoutInputs>, name: string): FanoutFixture {
  const fixture = { reference: {} } as FanoutFixture;
  beforeAll(async () => {
    registerLocalStorages();
    fixture.inputs = await derive(base.inputs);
    fixture.reference = await referenceOf(fixture.inputs, name);
  }, 120_000);
  return fixture;
}

async function referenceOf(inputs: FanoutInputs, name: string): Promise<Record<string, Buffer>> {
  const output = join(inputs.dir, name);
  await writeFile(`${output}.json`, JSON.stringify(inputs.job('.', output, `fanout-${name}`)));
  await runJobLocally({ jobHref: `${output}.json`, output, workers: 1, quiet: true });
  const reference: Record<string, Buffer> = {};
  for (const entry of await readdir(output, { recursive: true, withFileTypes: true })) {
    const key = relative(output, join(entry.parentPath, entry.name));
    if (entry.isFile() && isProduct(key, inputs.products)) reference[key] = await readFile(join(output, key));
  }
  return reference;
}
