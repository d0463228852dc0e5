/**
 * Parcel files that are not what they claim (issue 10): FlatGeobuf files of 0-12 bytes (the library loops
 * forever on them), files cut at a feature boundary or inside a feature (the library yields half the
 * parcels), and a corrupt header size. Each is refused before the library sees it, naming the file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { readParcelFile } from '../../../functions/core/vector/readParcelFile.ts';
import { checkFlatGeobuf } from '../../../functions/core/vector/checkFlatGeobuf.ts';

const SAMPLE = `${import.meta.dirname}/../../../sample-data/parcels/si-eurocrops-2021.fgb`;
let dir: string;
let good: Uint8Array;

async function refusal(bytes: Uint8Array, name: string): Promise<string> {
  const href = join(dir, name);
  await writeFile(href, bytes);
  const e = await readParcelFile(href).then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  expect((e as Error).message.startsWith(href)).toBe(true);
  return (e as Error).message;
}

/** Byte offsets where each feature of a valid file starts, and where the last ends. */
function featureBoundaries(bytes: Uint8Array): number[] {
  const { featuresOffset } = checkFlatGeobuf('sample', bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [featuresOffset];
  for (let at = featuresOffset; at < bytes.length;) out.push(at += 4 + view.getUint32(at, true));
  return out;
}

beforeAll(async () => {
  registerCoreStorages();
  dir = await mkdtemp(join(tmpdir(), 'eofn-fgb-'));
  good = new Uint8Array(await readFile(SAMPLE));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('FlatGeobuf files checked before reading', () => {
  it('refuses every file of 0 to 12 bytes at once instead of looping', async () => {
    // Prepare
    const started = performance.now();
    // Act
    const messages = [];
    for (let n = 0; n <= 12; n++) messages.push(await refusal(good.subarray(0, n), `tiny-${n}.fgb`));
    // Assess
    expect(messages[0]).toMatch(/not a valid FlatGeobuf file: 0 bytes, fewer than the 12/);
    expect(messages[12]).toMatch(/header size \d+ does not fit the file of 12 bytes/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a file cut at a feature boundary and one cut inside a feature, naming the counts', async () => {
    // Prepare
    const bounds = featureBoundaries(good);
    expect(bounds).toHaveLength(101);
    // Act
    const atBoundary = await refusal(good.subarray(0, bounds[50]), 'half.fgb');
    const inside = await refusal(good.subarray(0, bounds[50] + 7), 'cut.fgb');
    // Assess
    expect(atBoundary).toMatch(/the header announces 100 features, the file holds 50 \(truncated\?\)/);
    expect(inside).toMatch(/feature 50 at byte \d+ claims \d+ bytes, past the end of the file/);
  });

  it('refuses a corrupt header size and wrong magic bytes', async () => {
    // Prepare
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(8, 0xffff_fff0, true);
    const small = good.slice();
    new DataView(small.buffer).setUint32(8, 16, true);
    const magic = good.slice();
    magic[3] = 2;
    // Act + Assess
    expect(await refusal(huge, 'huge-header.fgb')).toMatch(/header size 4294967280 does not fit/);
    expect(await refusal(small, 'small-header.fgb')).toMatch(/not a valid FlatGeobuf file/);
    expect(await refusal(magic, 'v2.fgb')).toMatch(/wrong magic bytes/);
  });

  it('still reads the valid sample', async () => {
    expect((await readParcelFile(SAMPLE)).features).toHaveLength(100);
  });
});
