/**
 * A parcel file without a spatial index is converted in prepare by one streaming pass: FlatGeobuf written
 * without its index (by GDAL), GeoJSON, GeoParquet without bbox columns, and GeoParquet whose row groups
 * cannot narrow a read (too large, or not sorted in space). The converted bytes are those of
 * the in-memory writer (`writeIndexedFlatGeobuf`, the oracle) over a whole read of the same file; reads
 * through the storage seam stay within the chunk; a bad feature, a truncated file or a failed check fails
 * with the file and the feature named, the same words as `toParcels`, and leaves nothing at the target.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { registerStorage } from '../../../functions/core/io/storage.ts';
import { indexParcelFile } from '../../../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { readParcelBox } from '../../../functions/core/vector/readParcelBox.ts';
import { readParcelFile } from '../../../functions/core/vector/readParcelFile.ts';
import { toParcels } from '../../../functions/core/vector/toParcels.ts';
import type { RawFeature } from '../../../functions/core/vector/types.ts';
import { writeIndexedFlatGeobuf } from '../../../functions/core/vector/writeIndexedFlatGeobuf.ts';
import { IndexedFlatGeobufBuilder } from '../../../functions/core/vector/indexedFlatGeobufBuilder.ts';
import { hasGdal } from '../../helpers/gdal.ts';
import { wkbOf } from '../vector/wkbOf.ts';
import { writeGeoParquetWithBbox } from '../vector/writeGeoParquetWithBbox.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOINDEX = join(ROOT, 'test/fixtures/parcels/grid/parcel-grid-noindex.fgb');
const CHUNK = 64 * 1024;

/** A file storage under `count://` that records the largest single read and forbids whole reads. */
class CountingStorage extends FileStorage {
  largest = 0;
  reads = 0;
  wholeReads = 0;
  override async readRange(href: string, offset: number, length: number) {
    const b = await super.readRange(href.replace('count://', ''), offset, length);
    this.largest = Math.max(this.largest, b.length);
    this.reads++;
    return b;
  }
  override async readAll(href: string) {
    this.wholeReads++;
    return super.readAll(href.replace('count://', ''));
  }
  override size(href: string) {
    return super.size(href.replace('count://', ''));
  }
  reset() {
    this.largest = this.reads = this.wholeReads = 0;
  }
}
const counting = new CountingStorage();

beforeAll(() => {
  registerCoreStorages();
  registerStorage('count', counting);
});

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `eofn-${name}-`));

function geoJsonOf(features: RawFeature[], crs = 'EPSG:32633'): string {
  // The crs member after the features: the scanner must not need it first.
  return `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify({ type: 'Feature', properties: f.properties, geometry: f.geometry })).join(',\n')}\n],"crs":{"type":"name","properties":{"name":"${crs}"}}}`;
}

function writeGeoParquet(path: string, features: RawFeature[], rowGroupSize: number): void {
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'pid', data: features.map((f) => f.properties.pid as string) },
      { name: 'area', data: features.map((f) => f.properties.area as number) },
      { name: 'geometry', data: features.map((f) => wkbOf(f.geometry!)) },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'pid', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'area', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
    ],
    rowGroupSize,
    kvMetadata: [{ key: 'geo', value: JSON.stringify({ version: '1.1.0', primary_column: 'geometry', columns: { geometry: { encoding: 'WKB', crs: { id: { authority: 'EPSG', code: 32633 } } } } }) }],
  });
}

/** The grid's 2,700 parcels `times` over, each copy with its own ids, and an area property. */
async function gridFeatures(times = 1): Promise<RawFeature[]> {
  const once = (await readParcelFile(NOINDEX)).features;
  return Array.from({ length: times }, (_, k) => once.map((f, i) => ({ properties: { pid: `${k}-${f.properties.pid}`, area: 100 + i }, geometry: f.geometry }))).flat();
}

async function convert(href: string, idProperty = 'pid') {
  const out = tmp('out');
  counting.reset();
  const result = await indexParcelFile({ href, idProperty }, out, { chunkBytes: CHUNK });
  return { out, ...result };
}

describe('indexParcelFile: one streaming pass', () => {
  it('FlatGeobuf without an index: the in-memory writer\'s bytes, by reads of at most a chunk', async () => {
    // Act
    const { href, warning } = await convert(`count://${NOINDEX}`);
    // Assess
    const want = writeIndexedFlatGeobuf((await readParcelFile(NOINDEX)).features, 32633);
    expect(Buffer.from(readFileSync(href)).equals(Buffer.from(want))).toBe(true);
    expect(counting.wholeReads).toBe(0);
    expect(counting.largest).toBeLessThanOrEqual(CHUNK);
    expect(counting.reads).toBeGreaterThan(readFileSync(NOINDEX).length / CHUNK);
    expect(warning).toMatch(/parcel-grid-noindex\.fgb has no spatial index: read once in prepare \(2700 features, 0\.4 MB\) and written as an indexed FlatGeobuf \(.*_eofn\/parcels-[0-9a-f]{12}\.fgb\)/);
    // Partitions then read it by bounding box, with the source's positions
    const box = await readParcelBox(href, () => [546200, 5105000, 548000, 5110300]);
    expect(box.indexed).toBe(true);
    expect(box.features.length).toBeGreaterThan(10);
    expect(box.features.every((f, i) => i === 0 || f.index! > box.features[i - 1].index!)).toBe(true);
  });

  it('GeoJSON of 1.2 MB (crs after the features): the same bytes, by reads of at most a chunk', async () => {
    // Prepare
    const features = await gridFeatures(2);
    const path = join(tmp('gj'), 'grid.geojson');
    writeFileSync(path, geoJsonOf(features));
    // Act
    const { href } = await convert(`count://${path}`);
    // Assess
    const whole = await readParcelFile(path);
    expect(whole.features).toHaveLength(5400);
    expect(Buffer.from(readFileSync(href)).equals(Buffer.from(writeIndexedFlatGeobuf(whole.features, 32633)))).toBe(true);
    expect(counting.wholeReads).toBe(0);
    expect(counting.largest).toBeLessThanOrEqual(CHUNK);
    expect(readFileSync(path).length).toBeGreaterThan(15 * CHUNK);
  });

  it('GeoParquet without bbox columns: the same bytes, one row group at a time', async () => {
    // Prepare: 10,800 rows in row groups of 500
    const path = join(tmp('gpq'), 'grid.parquet');
    writeGeoParquet(path, await gridFeatures(4), 500);
    // Act
    const { href } = await convert(`count://${path}`);
    // Assess
    const whole = await readParcelFile(path);
    expect(Buffer.from(readFileSync(href)).equals(Buffer.from(writeIndexedFlatGeobuf(whole.features, 32633)))).toBe(true);
    expect(counting.wholeReads).toBe(0);
    expect(counting.largest).toBeLessThan(readFileSync(path).length / 10); // a row group (of 22), or the footer
  });

  it('GeoParquet with bbox columns is searched as it is when sorted in space in small row groups, and converted when not', async () => {
    // Prepare: the grid 4 times over (10,800 rows), one copy after the other, each copy in the grid's order
    const features = await gridFeatures(4);
    const dir = tmp('gpq-bbox');
    const sorted = join(dir, 'sorted.parquet');
    writeGeoParquetWithBbox(sorted, features, 250);
    const oneGroup = join(dir, 'one-group.parquet');
    writeGeoParquetWithBbox(oneGroup, features, features.length);
    // Every 7th feature first, then the others: each row group spans the whole grid
    const shuffled = join(dir, 'shuffled.parquet');
    writeGeoParquetWithBbox(shuffled, [...features.filter((_, i) => i % 7 === 0), ...features.filter((_, i) => i % 7 !== 0)], 500);
    // Act: the row-group limit set between a 500-row group and the 10,800-row one
    const opts = { chunkBytes: CHUNK, maxSearchedGroupBytes: 256 * 1024 };
    const asIs = await indexParcelFile({ href: sorted, idProperty: 'pid' }, tmp('out'), opts);
    const big = await indexParcelFile({ href: oneGroup, idProperty: 'pid' }, tmp('out'), opts);
    const unsorted = await indexParcelFile({ href: shuffled, idProperty: 'pid' }, tmp('out'), opts);
    // Assess
    expect(asIs).toEqual({ href: sorted });
    expect(big.warning).toMatch(/one-group\.parquet its row groups are too large to be read by bounding box \(up to \d+\.\d MB uncompressed, 1 group\(s\); .*read once in prepare \(10800 features/);
    expect(Buffer.from(readFileSync(big.href)).equals(Buffer.from(writeIndexedFlatGeobuf((await readParcelFile(oneGroup)).features, 32633)))).toBe(true);
    expect(unsorted.warning).toMatch(/shuffled\.parquet its row groups are not sorted in space \(each covers \d+ % of the file's extent on average; .*read once in prepare \(10800 features/);
    expect(Buffer.from(readFileSync(unsorted.href)).equals(Buffer.from(writeIndexedFlatGeobuf((await readParcelFile(shuffled)).features, 32633)))).toBe(true);
  });

  it('a property whose values mix types becomes a String column: features written before are written again', async () => {
    // Prepare: "area" is a number, then from feature 4,000 on a string
    const features = (await gridFeatures(2)).map((f, i) => (i >= 4000 ? { ...f, properties: { ...f.properties, area: `a${i}` } } : f));
    const path = join(tmp('mixed'), 'mixed.geojson');
    writeFileSync(path, geoJsonOf(features));
    // Act
    const { href } = await convert(path);
    // Assess
    const whole = await readParcelFile(path);
    expect(Buffer.from(readFileSync(href)).equals(Buffer.from(writeIndexedFlatGeobuf(whole.features, 32633)))).toBe(true);
    const some = await readParcelBox(href, () => [546000, 5100000, 557000, 5111000]);
    expect(some.features.find((f) => f.index === 0)?.properties.area).toBe('100');
  });
});

describe('indexParcelFile: bad input fails prepare, naming the file and the feature, leaving nothing', () => {
  async function expectNothingAt(out: string) {
    expect(existsSync(join(out, '_eofn')) ? readdirSync(join(out, '_eofn')) : []).toEqual([]);
  }

  async function failure(href: string, idProperty = 'pid', invalidGeometry?: 'error' | 'keep') {
    const out = tmp('bad');
    const error = await indexParcelFile({ href, idProperty, invalidGeometry }, out, { chunkBytes: CHUNK }).then(() => undefined, (e: Error) => e);
    await expectNothingAt(out);
    expect(error, 'the conversion should fail').toBeDefined();
    return error!;
  }

  it('a GeoJSON feature that is not JSON, in the middle of the file', async () => {
    const features = await gridFeatures(2);
    const text = geoJsonOf(features);
    const pid = `"pid":"${features[1500].properties.pid}"`;
    const at = text.indexOf(pid);
    expect(at).toBeGreaterThan(0);
    const path = join(tmp('badgj'), 'bad.geojson');
    writeFileSync(path, `${text.slice(0, at)}${pid.replace(':', ' ')}${text.slice(at + pid.length)}`);
    const e = await failure(path);
    expect(e.name).toBe('InputError');
    expect(e.message).toMatch(new RegExp(`^${path}: not a valid GeoJSON file: feature 1500 at byte \\d+ is not valid JSON \\(\\d+ bytes; content not shown\\)$`));
  });

  it('a truncated GeoJSON file, and a truncated FlatGeobuf', async () => {
    const dir = tmp('cut');
    const text = geoJsonOf(await gridFeatures(2));
    writeFileSync(join(dir, 'cut.geojson'), text.slice(0, Math.floor(text.length * 0.6)));
    expect((await failure(join(dir, 'cut.geojson'))).message).toMatch(/cut\.geojson: not a valid GeoJSON file: feature \d+ at byte \d+ is cut off by the end of the file \(truncated\?\)/);
    const bytes = readFileSync(NOINDEX);
    writeFileSync(join(dir, 'cut.fgb'), bytes.subarray(0, bytes.length - 5000));
    expect((await failure(join(dir, 'cut.fgb'))).message).toMatch(/cut\.fgb: not a valid FlatGeobuf file: feature 26\d\d at byte \d+ claims \d+ bytes, past the end of the file \(truncated\?\)/);
  });

  it('a FlatGeobuf feature whose size prefix is broken, in the middle', async () => {
    const bytes = Uint8Array.from(readFileSync(NOINDEX));
    const view = new DataView(bytes.buffer);
    let at = 12 + view.getUint32(8, true);
    for (let i = 0; i < 1300; i++) at += 4 + view.getUint32(at, true);
    view.setUint32(at, 0, true);
    const path = join(tmp('zero'), 'zero.fgb');
    writeFileSync(path, bytes);
    expect((await failure(path)).message).toBe(`${path}: not a valid FlatGeobuf file: feature 1300 at byte ${at} claims 0 bytes, past the end of the file (truncated?)`);
  });

  it('ids and geometries: the messages toParcels gives for the whole file', async () => {
    const features = await gridFeatures(2);
    const dir = tmp('checks');
    const cases: [string, RawFeature[]][] = [
      ['duplicate', features.map((f, i) => (i === 3000 || i === 5000 ? { ...f, properties: { ...f.properties, pid: '0-7' } } : f))],
      ['missing', features.map((f, i) => (i % 1000 === 999 ? { ...f, properties: { area: 1 } } : f))],
      ['invalid', features.map((f, i) => (i === 2222 ? { ...f, geometry: { type: 'Polygon', coordinates: [[[546000, 5100000], [546100, 5100100], [546100, 5100000], [546000, 5100100], [546000, 5100000]]] } } : f))],
    ];
    for (const [name, list] of cases) {
      const path = join(dir, `${name}.geojson`);
      writeFileSync(path, geoJsonOf(list));
      let want = '';
      try {
        toParcels(await readParcelFile(path), { idProperty: 'pid' });
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want, name).not.toBe('');
      expect((await failure(path)).message, name).toBe(want);
    }
    expect(readFileSync(join(dir, 'duplicate.geojson'), 'utf8')).toContain('0-7');
  });

  it('with invalidGeometry "keep", the same crossing ring passes and is kept', async () => {
    const features = (await gridFeatures(2)).map((f, i) => (i === 2222 ? { ...f, geometry: { type: 'Polygon', coordinates: [[[546000, 5100000], [546100, 5100100], [546100, 5100000], [546000, 5100100], [546000, 5100000]]] } } : f));
    const path = join(tmp('keep'), 'keep.geojson');
    writeFileSync(path, geoJsonOf(features));
    const out = tmp('out');
    const { href } = await indexParcelFile({ href: path, idProperty: 'pid', invalidGeometry: 'keep' }, out, { chunkBytes: CHUNK });
    const found = await readParcelBox(href, () => [546000, 5100000, 546100, 5100100]);
    expect(found.features.map((f) => f.index)).toContain(2222);
  });
});

describe('IndexedFlatGeobufBuilder', () => {
  it.each([1, 16, 17, 257])('%i features: the in-memory writer\'s bytes, a tree the format and GDAL accept', async (n) => {
    // Prepare
    const features = (await gridFeatures()).slice(0, n).map((f, index) => ({ ...f, index }));
    const builder = new IndexedFlatGeobufBuilder();
    const path = join(tmp('builder'), `${n}.fgb`);
    // Act
    try {
      for (const f of features) builder.add(f);
      const chunks: Uint8Array[] = [];
      for await (const c of builder.chunks(32633)) chunks.push(c);
      writeFileSync(path, Buffer.concat(chunks));
    } finally {
      builder.close();
    }
    // Assess
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(writeIndexedFlatGeobuf(features, 32633)))).toBe(true);
    expect((await readParcelFile(path)).features).toHaveLength(n); // checkFlatGeobuf: tree size, size prefixes
    const all = await readParcelBox(path, () => [0, 0, 1e7, 1e7]);
    expect(all.features.map((f) => f.index)).toEqual(features.map((f) => f.index));
    if (hasGdal()) {
      const info = execFileSync('ogrinfo', ['-ro', '-q', '-al', '-spat', '0', '0', '10000000', '10000000', path], { encoding: 'utf8' });
      expect((info.match(/OGRFeature/g) ?? []).length).toBe(n);
    }
  });
});
