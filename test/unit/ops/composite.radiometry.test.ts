/**
 * composite percentiles over scaled inputs take two paths (orderStatisticComposite): dates sharing one
 * increasing scale/offset are sorted as digital numbers and scaled once; any other radiometry (a negative
 * scale, or scales that differ between dates) is scaled as read into a float32 stack. Both against the
 * numpy golden of the sample's digital numbers (test/golden/composite), mapped by hand.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN, readJob, readRaster, runOp, SAMPLE_JOBS } from './compositeTestKit.ts';

const job = readJob('composite-demo.json');
const golden = () => readRaster(join(GOLDEN, 'composite', 'composite-median.tif'));

/** The demo's items inline, `edit` setting each date's red asset metadata. */
function itemsWith(edit: (k: number) => Record<string, unknown>) {
  return (job.items as string[]).map((href, k) => {
    const path = resolve(SAMPLE_JOBS, href);
    const item = JSON.parse(readFileSync(path, 'utf8'));
    for (const asset of Object.values(item.assets) as { href: string }[]) asset.href = resolve(path, '..', asset.href);
    Object.assign(item.assets.red, edit(k));
    return item;
  });
}

function expectMapped(actual: ArrayLike<number>, dn: ArrayLike<number>, map: (v: number) => number) {
  let valid = 0;
  for (let i = 0; i < dn.length; i++) {
    expect(Number.isNaN(actual[i])).toBe(Number.isNaN(dn[i]));
    if (Number.isNaN(dn[i])) continue;
    valid++;
    const e = map(dn[i]);
    expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(e) + 1e-12);
  }
  expect(valid).toBeGreaterThan(50000);
}

describe('composite median with per-date or negative scales', () => {
  it('a negative scale (float stack) mirrors the median; the other assets stay digital numbers', async () => {
    // Act
    const run = await runOp({ ...job, items: itemsWith(() => ({ 'raster:scale': -0.0001, 'raster:offset': 1 })), params: { ...job.params, method: 'median' } });
    // Assess
    const g = await golden();
    expectMapped(run.bands[0], g.bands[0], (v) => 1 - v * 0.0001);
    for (const b of [1, 2, 3, 4]) expect(Array.from(run.bands[b])).toEqual(Array.from(g.bands[b]));
  });

  it('scales that differ between dates are applied per date before the median (float stack)', async () => {
    // Every other date says red is DN x 0.00005: its values are half what DN x 0.0001 gives. The median is
    // monotone in each date's value, so it lands between half and all of the all-0.0001 median, and below it
    // wherever a halved date is picked.
    const run = await runOp({ ...job, items: itemsWith((k) => ({ 'raster:scale': k % 2 ? 0.00005 : 0.0001 })), params: { ...job.params, method: 'median' } });
    const dn = await golden();
    const record = run.summary.properties!['eofn:radiometry'] as { assets: { red: { scale: number } } }[];
    expect(record.map((r) => r.assets.red.scale)).toEqual([0.0001, 0.00005, 0.0001, 0.00005, 0.0001]);
    // max over mixed scales is at most the all-0.0001 max and at least half of it
    let below = 0;
    for (let i = 0; i < dn.bands[0].length; i++) {
      const m = dn.bands[0][i] * 0.0001, r = run.bands[0][i];
      if (Number.isNaN(m)) continue;
      expect(r).toBeLessThanOrEqual(m * (1 + 2 ** -22));
      expect(r).toBeGreaterThanOrEqual(m * 0.5 * (1 - 2 ** -22));
      if (r < m * (1 - 1e-6)) below++;
    }
    expect(below).toBeGreaterThan(1000);
  });
});
