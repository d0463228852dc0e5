/**
 * Property tests of the parcel readers (issue 10): whatever bytes a parcel file holds (random, the sample
 * FlatGeobuf or GeoParquet cut, bit-flipped or with a size field overwritten, arbitrary GeoJSON), reading it and making
 * parcels of it ends in parcels or an InputError naming the file, quickly, never another error or a hang.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../functions/core/errors.ts';
import { registerStorage, type Storage } from '../../functions/core/io/storage.ts';
import { readParcelFile } from '../../functions/core/vector/readParcelFile.ts';
import { toParcels } from '../../functions/core/vector/toParcels.ts';
import { CASE_BUDGET_MS, corpus, fuzzParameters, single } from './fuzzSettings.ts';

const SAMPLE = new Uint8Array(readFileSync(`${import.meta.dirname}/../../sample-data/parcels/si-eurocrops-2021.fgb`));
const PARQUET = new Uint8Array(readFileSync(`${import.meta.dirname}/../../sample-data/parcels/dk-fiboa-2024.parquet`));
const files = new Map<string, Uint8Array>();

/** Files held in memory under `mem://`: no disk traffic per case. */
const memory: Storage = {
  async readAll(href) { return files.get(href) ?? Promise.reject(new InputError(href, 'not found')); },
  async readRange(href, offset, length) { return (files.get(href) ?? new Uint8Array()).subarray(offset, offset + length); },
  async size(href) { return files.get(href)?.length; },
  async write() { throw new Error('read-only'); },
  async writeFile() { throw new Error('read-only'); },
  async list() { return [...files.keys()]; },
  async removeAll() { throw new Error('read-only'); },
  async remove() { throw new Error('read-only'); },
};

async function readsOrRefuses(name: string, bytes: Uint8Array): Promise<void> {
  const href = `mem://${name}`;
  files.set(href, bytes);
  const started = performance.now();
  try {
    toParcels(await readParcelFile(href), { idProperty: 'ID' });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message.startsWith(href)).toBe(true);
  } finally {
    files.delete(href);
  }
  expect(performance.now() - started).toBeLessThan(CASE_BUDGET_MS);
}

/** A sample file with one kind of damage: cut, bytes flipped, or a 32-bit field overwritten. */
const damaged = (sample: Uint8Array) => fc.oneof(
  fc.integer({ min: 0, max: sample.length }).map((n) => sample.slice(0, n)),
  fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const b = sample.slice();
    for (const [at, mask] of flips) b[at] ^= mask;
    return b;
  }),
  fc.tuple(fc.nat(sample.length - 4), fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 12, 1 << 20)).map(([at, v]) => {
    const b = sample.slice();
    new DataView(b.buffer).setUint32(at - (at % 4), v, true);
    return b;
  }),
  fc.uint8Array({ maxLength: 64 }),
);

beforeAll(() => registerStorage('mem', memory));

describe('parcel readers (property)', () => {
  it('reads a damaged FlatGeobuf or refuses it with an InputError naming it', async () => {
    const tiny = corpus<number[]>('fgb-prefixes.json').map((n) => SAMPLE.slice(0, n[0]));
    await fc.assert(fc.asyncProperty(damaged(SAMPLE), (bytes) => readsOrRefuses('parcels.fgb', bytes)), fuzzParameters(single(tiny)));
  });

  it('reads a damaged GeoParquet or refuses it with an InputError naming it', async () => {
    await fc.assert(fc.asyncProperty(damaged(PARQUET), (bytes) => readsOrRefuses('parcels.parquet', bytes)), fuzzParameters());
  });

  it('reads any JSON as GeoJSON parcels or refuses it with an InputError naming it', async () => {
    const feature = fc.record({
      type: fc.constant('Feature'),
      properties: fc.oneof(fc.constant({ ID: 'a' }), fc.dictionary(fc.constantFrom('ID', 'id'), fc.jsonValue())),
      geometry: fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon', 'Point'), coordinates: fc.jsonValue() })),
    });
    const doc = fc.oneof(fc.jsonValue(), fc.record({ type: fc.constant('FeatureCollection'), features: fc.array(feature, { maxLength: 5 }) }));
    await fc.assert(fc.asyncProperty(doc, (d) => readsOrRefuses('parcels.geojson', new TextEncoder().encode(JSON.stringify(d) ?? ''))), fuzzParameters());
  });
});
