/**
 * coherence-merge with STAC radiometry: inputs given as items whose asset carries a scale/offset (a coherence
 * product stored as uint8 0..250, say) merge in physical values. Bare .tif inputs (the sample) are
 * unchanged: the golden tests pin them.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJob, runOp } from './compositeTestKit.ts';

const job = readJob('coherence-demo.json');
const tifs = (job.items as string[]).slice(0, 6).map((href) => resolve('sample-data/jobs', href));

function asItems(asset: Record<string, unknown>) {
  return tifs.map((href, i) => ({
    type: 'Feature', id: `coh-${i}`, properties: { datetime: `2018-0${1 + (i % 6)}-0${1 + i}T00:00:00Z` },
    assets: { coherence: { href, ...asset } },
  }));
}

describe('coherence-merge applies the STAC scale/offset', () => {
  it('mean of items with scale 4, offset -1 is 4 x the plain mean - 1 (to float32 rounding), count unchanged', async () => {
    // Act
    const plain = await runOp({ ...job, items: asItems({}), params: { asset: 'coherence', method: 'mean' } });
    const scaled = await runOp({ ...job, items: asItems({ 'raster:scale': 4, 'raster:offset': -1 }), params: { asset: 'coherence', method: 'mean' } });
    // Assess
    const [p, pc] = plain.bands as Float32Array[];
    const [s, sc] = scaled.bands as Float32Array[];
    expect(Array.from(sc)).toEqual(Array.from(pc));
    let valid = 0;
    for (let i = 0; i < p.length; i++) {
      expect(Number.isNaN(s[i])).toBe(Number.isNaN(p[i]));
      if (Number.isNaN(p[i])) continue;
      valid++;
      expect(Math.abs(s[i] - (4 * p[i] - 1))).toBeLessThanOrEqual(4e-6);
    }
    expect(valid).toBeGreaterThan(1000);
    expect((scaled.summary.properties!['eofn:radiometry'] as any[])[0].assets.coherence)
      .toMatchObject({ key: 'coherence', scale: 4, offset: -1, source: 'raster:scale/raster:offset (STAC 1.1)' });
  });

  it('"raw" keeps the file values', async () => {
    const plain = await runOp({ ...job, items: asItems({}), params: { asset: 'coherence', method: 'median' } });
    const raw = await runOp({ ...job, items: asItems({ 'raster:scale': 4 }), params: { asset: 'coherence', method: 'median', radiometry: 'raw' } });
    expect(Array.from(raw.bands[0])).toEqual(Array.from(plain.bands[0]));
  });
});
