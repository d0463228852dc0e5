/**
 * Bad input gets a clear error and loses nothing: a job rejected before work writes nothing; a broken
 * file fails only the partitions that need it, keeps the others' parts, records the failures in job.json
 * and `_failed/`, and a re-run after the fix reuses the kept parts.
 */
import { copyFile, mkdtemp, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { registerStorage, type Storage } from '../../../functions/core/io/storage.ts';
import { InputError, InvalidJobError } from '../../../functions/core/errors.ts';
import { ndviJob, SAMPLE_ITEM_IDS, sampleItemPath, tempOutput } from '../../helpers/sampleJobs.ts';

registerLocalStorages();

/** A copy of one sample item whose asset files can be damaged without touching the repo. */
async function copyOfItem(id: string): Promise<{ itemPath: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'eofn-item-'));
  const src = dirname(sampleItemPath(id));
  for (const f of await readdir(src)) await copyFile(join(src, f), join(dir, f));
  return { itemPath: join(dir, `${id}.json`), dir };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try { await promise; } catch (e) { return e as Error; }
  throw new Error('expected a rejection');
}

describe('bad inputs', () => {
  it('an invalid job lists every problem and writes nothing', async () => {
    const output = await tempOutput('invalid');
    const err = await rejection(runJobLocally({ job: { raw: { ...ndviJob({ reducer: 'avg' }), items: 'x' } }, output, quiet: true }));
    expect(err).toBeInstanceOf(InvalidJobError);
    expect(err.message).toContain('params.reducer: Invalid option: expected one of');
    expect(err.message).toContain('items: ');
    expect(existsSync(output)).toBe(false);
  });

  it('empty items are rejected by path', async () => {
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({}, []) }, output: await tempOutput('empty'), quiet: true }));
    expect((err as InvalidJobError).problems).toEqual(['items: expected at least one item']);
  });

  it('an expression naming an asset the items lack names the item and what it has', async () => {
    const output = await tempOutput('unknown-asset');
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({ expression: '(nir - swir16) / (nir + swir16)' }) }, output, quiet: true }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^items\[\d\] \(S2\w+_L2A\): asset "swir16" not found; the item has: .*red.*nir/);
    expect(existsSync(output)).toBe(false);
  });

  it('a missing asset file names the item, the asset and the file, before any work', async () => {
    const { itemPath, dir } = await copyOfItem(SAMPLE_ITEM_IDS[1]);
    await writeFile(join(dir, 'B04.tif'), ''); // unreadable: empty
    const output = await tempOutput('missing');
    const items = [sampleItemPath(SAMPLE_ITEM_IDS[0]), itemPath];
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({}, items) }, output, quiet: true }));
    expect(err.message).toMatch(/^items\[1\] \(S2B_33TWM_20230813_0_L2A\) asset "red" \(.*B04\.tif\): /);
    expect(existsSync(output)).toBe(false);
  });

  it('an item href that does not exist is named', async () => {
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({}, ['/nowhere/item.json']) }, output: await tempOutput('nohref'), quiet: true }));
    expect(err.message).toMatch(/^items\[0\]: cannot read STAC item \/nowhere\/item\.json/);
  });

  it('a hostile TIFF header is rejected before allocating, naming the file', async () => {
    const { itemPath, dir } = await copyOfItem(SAMPLE_ITEM_IDS[0]);
    await writeFile(join(dir, 'B08.tif'), hostileTiff());
    const before = process.memoryUsage().rss;
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({}, [itemPath]) }, output: await tempOutput('hostile'), quiet: true }));
    expect(err.message).toContain('B08.tif');
    expect(err).toBeInstanceOf(InputError);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  });

  it('a truncated TIFF is rejected before any work, naming the file and the lost tile', async () => {
    const { itemPath, dir } = await copyOfItem(SAMPLE_ITEM_IDS[2]);
    const b04 = join(dir, 'B04.tif');
    await truncate(b04, Math.floor((await stat(b04)).size * 0.75));
    const output = await tempOutput('truncated');
    const err = await rejection(runJobLocally({ job: { raw: ndviJob({}, [itemPath]) }, output, quiet: true }));
    expect(err.message).toMatch(/^items\[0\] \(S2A_33TWM_20230815_0_L2A\) asset "red" \(.*B04\.tif\): .*tile \d+ .*past the end of the file/);
    expect(existsSync(output)).toBe(false);
  });

  it('a corrupt tile fails only the partitions that need it; a re-run after the fix reuses the rest', async () => {
    // Prepare: the last quarter of B04 of one date is overwritten with garbage (header and first tiles intact)
    const { itemPath, dir } = await copyOfItem(SAMPLE_ITEM_IDS[2]);
    const b04 = join(dir, 'B04.tif');
    const bytes = await readFile(b04);
    bytes.fill(0xff, Math.floor(bytes.length * 0.75));
    await writeFile(b04, bytes);
    const items = SAMPLE_ITEM_IDS.map((id, i) => (i === 2 ? itemPath : sampleItemPath(id)));
    const output = await tempOutput('corrupt');
    // Act
    const first = await runJobLocally({ job: { raw: ndviJob({}, items) }, output, workers: 1, memoryMb: 161, quiet: true });
    // Assess: failed partitions name the file and are dead-lettered; the others' parts are kept
    expect(first.record.status).toBe('FAILED');
    const failed = first.record.partitions.filter((p) => p.status === 'FAILED');
    const done = first.record.partitions.filter((p) => p.status === 'SUCCEEDED');
    expect(failed.length).toBeGreaterThan(0);
    expect(done.length).toBeGreaterThan(0);
    expect(failed[0].error).toMatch(/items\[2\] \(S2A_33TWM_20230815_0_L2A\) asset "red" \(.*B04\.tif\): /);
    expect(failed.every((p) => p.attempts === 1)).toBe(true); // bad input is not retried
    expect((await readdir(join(output, '_failed'))).sort()).toEqual(failed.map((p) => `${p.id}.json`).sort());
    expect(JSON.parse(await readFile(join(output, 'job.json'), 'utf8')).status).toBe('FAILED');
    expect(existsSync(join(output, 'result.tif'))).toBe(false);

    // Act: the file is repaired and the job re-run
    await copyFile(join(dirname(sampleItemPath(SAMPLE_ITEM_IDS[2])), 'B04.tif'), b04);
    const second = await runJobLocally({ job: { raw: ndviJob({}, items) }, output, workers: 1, memoryMb: 161, quiet: true });
    // Assess
    expect(second.record.status).toBe('SUCCEEDED');
    expect(second.record.partitions.filter((p) => p.reused).map((p) => p.id).sort()).toEqual(done.map((p) => p.id).sort());
    expect(existsSync(join(output, 'result.tif'))).toBe(true);
  });

  it('a transient read failure is retried and the job succeeds', async () => {
    // Prepare: a storage that fails the first two reads of B08 of one date (as a flaky network would)
    const files = (await import('../../../functions/core/io/registerCoreStorages.ts'));
    files.registerCoreStorages();
    let failures = 0;
    const real = (await import('../../../functions/core/io/storage.ts')).storageFor('/x');
    const flaky: Storage = {
      ...real,
      readRange: async (href, offset, length) => {
        const path = href.replace('flaky://', '/');
        if (path.endsWith('S2B_33TWM_20230813_0_L2A/B08.tif') && offset > 1000 && failures < 1) {
          failures++;
          throw new Error('ECONNRESET (simulated)');
        }
        return real.readRange(path, offset, length);
      },
      readAll: (href) => real.readAll(href.replace('flaky://', '/')),
      size: (href) => real.size(href.replace('flaky://', '/')),
    };
    registerStorage('flaky', flaky);
    const items = SAMPLE_ITEM_IDS.map((id) => `flaky:/${sampleItemPath(id)}`);
    const output = await tempOutput('flaky');
    // Act
    const { record } = await runJobLocally({ job: { raw: ndviJob({}, items) }, output, workers: 1, quiet: true });
    // Assess
    expect(failures).toBe(1);
    expect(record.status).toBe('SUCCEEDED');
    expect(record.partitions.some((p) => p.attempts > 1)).toBe(true);
  });

  it('gives up after the retries and keeps the error', async () => {
    const real = (await import('../../../functions/core/io/storage.ts')).storageFor('/x');
    registerStorage('broken', {
      ...real,
      readRange: async (href, offset, length) => {
        if (href.endsWith('B08.tif') && offset > 1000) throw new Error('EIO (simulated disk error)');
        return real.readRange(href.replace('broken://', '/'), offset, length);
      },
      readAll: (href) => real.readAll(href.replace('broken://', '/')),
      size: (href) => real.size(href.replace('broken://', '/')),
    });
    const output = await tempOutput('broken');
    const { record } = await runJobLocally({ job: { raw: ndviJob({}, [`broken:/${sampleItemPath(SAMPLE_ITEM_IDS[0])}`]) }, output, workers: 1, retries: 2, quiet: true });
    expect(record.status).toBe('FAILED');
    expect(record.partitions[0]).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(record.partitions[0].error).toContain('EIO (simulated disk error)');
  });
});

/** A little-endian TIFF whose one IFD claims a 4,000,000 x 4,000,000 uint16 image in one tile. */
function hostileTiff(): Uint8Array {
  const entries: [number, number, number, number][] = [
    [256, 4, 1, 4_000_000], [257, 4, 1, 4_000_000], [258, 3, 1, 16], [259, 3, 1, 1], [277, 3, 1, 1],
    [322, 4, 1, 4_000_000], [323, 4, 1, 4_000_000], [324, 4, 1, 200], [325, 4, 1, 16],
  ];
  const buf = new ArrayBuffer(8 + 2 + entries.length * 12 + 4 + 64);
  const v = new DataView(buf);
  v.setUint16(0, 0x4949); v.setUint16(2, 42, true); v.setUint32(4, 8, true);
  v.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const o = 10 + i * 12;
    v.setUint16(o, tag, true); v.setUint16(o + 2, type, true); v.setUint32(o + 4, count, true);
    if (type === 3) v.setUint16(o + 8, value, true); else v.setUint32(o + 8, value, true);
  });
  return new Uint8Array(buf);
}
