/**
 * Reading the parcels of a box without the whole file: FlatGeobuf through its packed R-tree (file made by
 * GDAL), GeoParquet by row-group statistics of its bbox columns. Each result is checked against a full
 * read filtered by bounding box, and the bytes requested are counted through the storage seam.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { registerStorage } from '../../../functions/core/io/storage.ts';
import { featureBox, meets, readParcelBox } from '../../../functions/core/vector/readParcelBox.ts';
import { readParcelFile } from '../../../functions/core/vector/readParcelFile.ts';
import type { Box } from '../../../functions/core/vector/readFlatGeobufBox.ts';
import { writeIndexedFlatGeobuf } from '../../../functions/core/vector/writeIndexedFlatGeobuf.ts';
import { hasGdal } from '../../helpers/gdal.ts';
import { writeGeoParquetWithBbox } from './writeGeoParquetWithBbox.ts';

const ROOT = join(import.meta.dirname, '../../..');
const GRID = join(ROOT, 'test/fixtures/parcels/grid/parcel-grid.fgb');
const NOINDEX = join(ROOT, 'test/fixtures/parcels/grid/parcel-grid-noindex.fgb');

/** A file storage under `count://` that counts what is read. */
class CountingStorage extends FileStorage {
  bytes = 0;
  wholeReads = 0;
  override async readRange(href: string, offset: number, length: number) {
    const b = await super.readRange(href.replace('count://', ''), offset, length);
    this.bytes += b.length;
    return b;
  }
  override async readAll(href: string) {
    this.wholeReads++;
    const b = await super.readAll(href.replace('count://', ''));
    this.bytes += b.length;
    return b;
  }
  override size(href: string) {
    return super.size(href.replace('count://', ''));
  }
}
const counting = new CountingStorage();

beforeAll(() => {
  registerCoreStorages();
  registerStorage('count', counting);
});

async function expected(path: string, box: Box) {
  const all = await readParcelFile(path);
  return all.features.map((f, index) => ({ index, id: f.properties.pid ?? f.properties.ID, box: featureBox(f) }))
    .filter((f) => meets(f.box, box));
}

describe('readParcelBox', () => {
  const boxes: Box[] = [
    [546200, 5105000, 548000, 5110300], // a corner
    [550000, 5101000, 550100, 5101100], // one parcel or none
    [500000, 5000000, 501000, 5001000], // far away
    [546000, 5100000, 557000, 5111000], // everything
  ];

  it.each(boxes)('FlatGeobuf by its R-tree gives what a full read filtered by bbox gives: %s', async (...box) => {
    // Act
    counting.bytes = 0;
    counting.wholeReads = 0;
    const found = await readParcelBox(`count://${GRID}`, () => box as Box);
    // Assess
    const want = await expected(GRID, box as Box);
    expect(found.features.map((f) => f.index)).toEqual(want.map((f) => f.index));
    expect(found.features.map((f) => f.properties.pid)).toEqual(want.map((f) => f.id));
    expect([found.total, found.indexed, found.crs]).toEqual([2700, true, 'EPSG:32633']);
    expect(counting.wholeReads).toBe(0);
    if (want.length < 100) expect(counting.bytes).toBeLessThan(readFileSync(GRID).length / 4);
  });

  it('refuses a truncated file or a corrupt index, naming the file, before the library parses a feature', async () => {
    const bytes = readFileSync(GRID);
    const dir = mkdtempSync(join(tmpdir(), 'eofn-badfgb-'));
    const cut = join(dir, 'cut.fgb');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 5000));
    await expect(readParcelBox(cut, () => [546000, 5090000, 557000, 5111000])).rejects.toThrow(/cut\.fgb: not a valid FlatGeobuf file: (feature \d+ at byte \d+ claims|index node \d+ points)/);
    const head = await import('../../../functions/core/vector/readFlatGeobufBox.ts').then((m) => m.readFlatGeobufHead(GRID));
    const bad = Uint8Array.from(bytes);
    new DataView(bad.buffer).setBigUint64(head.indexStart + 32, 10n ** 12n, true); // the root points far away
    const corrupt = join(dir, 'corrupt.fgb');
    writeFileSync(corrupt, bad);
    await expect(readParcelBox(corrupt, () => [546000, 5090000, 557000, 5111000])).rejects.toThrow(/corrupt\.fgb: not a valid FlatGeobuf file: index node 0 points to 1000000000000, outside the level below/);
  });

  it('reads a FlatGeobuf without an index whole, and says so', async () => {
    const box: Box = [546200, 5105000, 548000, 5110300];
    const found = await readParcelBox(NOINDEX, () => box);
    expect(found.indexed).toBe(false);
    expect(found.features.map((f) => f.properties.pid).sort()).toEqual((await expected(GRID, box)).map((f) => f.id).sort());
  });

  it('GeoParquet: only the row groups whose bbox statistics meet the box are read', async () => {
    // Prepare: the grid parcels 4 times over (10,800 rows) as GeoParquet with a bbox struct column, 500 rows per row group
    const once = await readParcelFile(GRID);
    const all = { features: [0, 1, 2, 3].flatMap((k) => once.features.map((f) => ({ ...f, properties: { pid: `${k}-${f.properties.pid}` } }))) };
    const path = join(mkdtempSync(join(tmpdir(), 'eofn-gpq-')), 'grid.parquet');
    const boxesOf = all.features.map((f) => featureBox(f)!);
    writeGeoParquetWithBbox(path, all.features, 500);
    const box: Box = [546200, 5109000, 548000, 5110300];
    // Act
    counting.bytes = 0;
    const found = await readParcelBox(`count://${path}`, () => box);
    // Assess
    const want = all.features.map((f, index) => ({ index, id: f.properties.pid })).filter((_, i) => meets(boxesOf[i], box));
    expect(found.features.map((f) => f.index)).toEqual(want.map((f) => f.index));
    expect(found.features.map((f) => f.properties.pid)).toEqual(want.map((f) => f.id));
    expect(found.features[0].geometry?.type).toBe('Polygon');
    expect([found.total, found.indexed]).toEqual([10800, true]);
    expect(counting.bytes).toBeLessThan(readFileSync(path).length / 3); // a few of 20 row groups, and the footer
  });
});

describe('writeIndexedFlatGeobuf', () => {
  it('makes an indexed file that gives, by bounding box, the source features with their source positions', async () => {
    // Prepare: the grid parcels from the file GDAL wrote without an index
    const source = await readParcelFile(NOINDEX);
    const path = join(mkdtempSync(join(tmpdir(), 'eofn-fgb-')), 'indexed.fgb');
    // Act
    writeFileSync(path, writeIndexedFlatGeobuf(source.features, 32633));
    // Assess
    for (const box of [[546200, 5105000, 548000, 5110300], [550000, 5101000, 550100, 5101100], [546000, 5100000, 557000, 5111000]] as Box[]) {
      const found = await readParcelBox(path, () => box);
      const want = source.features.map((f, index) => ({ index, pid: f.properties.pid, box: featureBox(f) })).filter((f) => meets(f.box, box));
      expect(found.indexed).toBe(true);
      expect(found.features.map((f) => [f.index, f.properties.pid])).toEqual(want.map((f) => [f.index, f.pid]));
      expect(found.features.every((f) => !('eofn:index' in f.properties))).toBe(true);
    }
    if (hasGdal()) {
      // GDAL reads it, and its own spatial filter through the index finds the same parcels
      const info = execFileSync('ogrinfo', ['-ro', '-q', '-al', '-spat', '546200', '5105000', '548000', '5110300', path], { encoding: 'utf8' });
      expect((info.match(/OGRFeature/g) ?? []).length).toBe((await readParcelBox(path, () => [546200, 5105000, 548000, 5110300])).features.length);
    }
  });
});
