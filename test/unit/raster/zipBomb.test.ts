/**
 * Zip-bomb COGs (issue 10): a COG of 256 interleaved float32 bands whose DEFLATE tiles of zeros are tiny
 * stored and 64 MB decoded (2.35 GB RSS before, where the plan said 384 MB), and a tile whose DEFLATE stream
 * holds more than the tile can. Decoded bytes in flight are bounded by the process's decode budget; the
 * overflowing tile is refused naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadTiffError } from '../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { byteBudget, DECODE_BUDGET, DECODED_BYTES_IN_FLIGHT } from '../../../functions/core/raster/read/byteBudget.ts';
import { overflowingTileTiff, zipBombCog } from '../../helpers/hostileInputs.ts';

let dir: string;

beforeAll(() => {
  registerCoreStorages();
  dir = mkdtempSync(join(tmpdir(), 'eofn-bomb-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zip-bomb COGs', () => {
  it('reads a band of a 256-band bomb with decoded bytes in flight inside the decode budget', async () => {
    // Prepare: 8 tiles of 64 MB decoded each, all stored as the same ~64 KB
    const bytes = zipBombCog();
    expect(bytes.length).toBeLessThan(300_000);
    const href = join(dir, 'bomb.tif');
    writeFileSync(href, bytes);
    const raster = await openRaster(href);
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    let peak = 0;
    const watch = setInterval(() => { peak = Math.max(peak, DECODE_BUDGET.inUse()); }, 1);
    // Act
    const band = await raster.readWindow({ x: 0, y: 0, width: 1024, height: 512 }, 7);
    clearInterval(watch);
    // Assess: one 64 MB tile at a time (a task larger than what is left waits), never eight
    expect(band.length).toBe(1024 * 512);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(DECODED_BYTES_IN_FLIGHT);
    // The process's peak grew by about one decoded tile, not eight (512 MB).
    expect(process.resourceUsage().maxRSS * 1024 - rssBefore).toBeLessThan(300 * 2 ** 20);
  });

  it('refuses a tile that inflates beyond what its size and bands can hold', async () => {
    // Prepare
    const href = join(dir, 'overflow.tif');
    writeFileSync(href, overflowingTileTiff());
    const raster = await openRaster(href);
    // Act
    const err = await raster.readWindow({ x: 0, y: 0, width: 256, height: 256 }).then(() => undefined, (e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(BadTiffError);
    expect((err as Error).message).toMatch(/overflow\.tif: tile 0 inflates beyond the 65536 bytes its size and 1 band\(s\) can hold/);
  });
});

describe('byteBudget', () => {
  it('runs tasks while their bytes fit, in arrival order, and a task larger than the budget alone', async () => {
    // Prepare
    const budget = byteBudget(100);
    const log: string[] = [];
    const gate = () => { let open!: () => void; const p = new Promise<void>((r) => { open = r; }); return { p, open }; };
    const a = gate(), b = gate();
    // Act
    const ta = budget.run(60, async () => { log.push('a'); await a.p; });
    const tb = budget.run(60, async () => { log.push('b'); await b.p; });
    const tc = budget.run(10, async () => { log.push('c'); });
    await new Promise((r) => setTimeout(r, 5));
    const during = [...log];
    a.open();
    await ta;
    await new Promise((r) => setTimeout(r, 5));
    b.open();
    await Promise.all([tb, tc, budget.run(500, async () => { log.push('huge'); })]);
    // Assess: b waits for a; c, though small, does not overtake b
    expect(during).toEqual(['a']);
    expect(log).toEqual(['a', 'b', 'c', 'huge']);
    expect(budget.inUse()).toBe(0);
  });
});
