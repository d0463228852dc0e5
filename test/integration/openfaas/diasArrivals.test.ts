/**
 * Arrivals on a DIAS: a Ceph RGW bucket notification (HTTP push) of a new item, and the STAC poller with
 * its watermark, both matched against the same arrival rules as on AWS; repeats start no second job.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_ITEM_IDS, sampleItemPath } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const RULES = [{
  name: 'ndvi-max', tiles: ['33TWM'], maxCloudCover: 50,
  job: { op: 'tile-reduce', params: { expression: '(nir - red) / (nir + red)', reducer: 'max' }, output: 's3://results/arrivals/{tile}/{date}' },
}];

let dias: DiasHarness;
let stac: Server;
let stacUrl: string;
const stacRequests: { method: string; body: any }[] = [];

/** A STAC API over the sample items: POST /search filters by datetime, sorts as asked, pages by 3 (merge: true). */
async function startStacApi(): Promise<void> {
  const items = await Promise.all(SAMPLE_ITEM_IDS.map(async (id) => ({
    ...JSON.parse(await readFile(sampleItemPath(id), 'utf8')),
    links: [{ rel: 'self', href: `s3://eodata/s2/${id}/${id}.json` }],
  })));
  stac = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      stacRequests.push({ method: req.method!, body });
      const since = String(body.datetime).split('/')[0];
      const all = items.filter((i) => i.properties.datetime >= since).sort((a, b) => a.properties.datetime.localeCompare(b.properties.datetime));
      const offset = Number(body.offset ?? 0);
      const next = offset + 3 < all.length ? [{ rel: 'next', method: 'POST', merge: true, href: `${stacUrl}/search`, body: { offset: offset + 3 } }] : [];
      res.writeHead(200, { 'content-type': 'application/geo+json' })
        .end(JSON.stringify({ type: 'FeatureCollection', features: all.slice(offset, offset + 3), links: next }));
    });
  });
  await new Promise<void>((r) => stac.listen(0, '127.0.0.1', r));
  stacUrl = `http://127.0.0.1:${(stac.address() as AddressInfo).port}`;
}

async function call(fn: string, body: unknown = {}): Promise<any> {
  const res = await fetch(`${dias.gateway.url}/function/${fn}`, { method: 'POST', headers: dias.headers, body: JSON.stringify(body) });
  const out = await res.json();
  await dias.gateway.idle();
  return out;
}

beforeAll(async () => {
  await startStacApi();
  dias = await startDiasHarness('arrivals', ['jobs', 'arrivals', 'stac-poll'], {
    EOFN_STAC_API_URL: stacUrl, EOFN_STAC_COLLECTIONS: 'sentinel-2-l2a', EOFN_STAC_LOOKBACK_HOURS: '24',
  });
  await dias.put('results', 'config/arrival-rules.json', JSON.stringify(RULES));
  // Partitions of the jobs started here are not run: this file is about which jobs start.
  dias.gateway.intercept((fn) => (fn === 'eofn-jobs' ? 'deliver' : 'drop'));
});

afterAll(async () => {
  await dias?.close();
  await new Promise((r) => stac?.close(r));
});

describe('arrivals on a DIAS', () => {
  it('starts a job for a Ceph RGW notification of a new item, ignores its COGs, and not twice', async () => {
    // Prepare
    const id = 'S2B_33TWM_20230813_0_L2A';
    const notification = { Records: [
      { eventSource: 'ceph:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'eodata' }, object: { key: `s2/${id}/${id}.json` } } },
      { eventSource: 'ceph:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'eodata' }, object: { key: `s2/${id}/B04.tif` } } },
    ] };

    // Act
    const first = await call('eofn-arrivals', notification);
    const again = await call('eofn-arrivals', notification);

    // Assess
    expect(first).toEqual({ items: 1, jobs: [`ndvi-max-${id}`] });
    expect(again).toEqual({ items: 1, jobs: [] });
    expect(await dias.store.status(`ndvi-max-${id}`)).toMatchObject({ op: 'tile-reduce', status: 'RUNNING', output: 's3://results/arrivals/33TWM/2023-08-13' });
  });

  it('polls the STAC API from its watermark, follows pages, applies the rules, and remembers the newest datetime', async () => {
    // Prepare
    const source = `stac:${stacUrl}|sentinel-2-l2a`;
    await dias.store.setWatermark(source, '2023-08-09T00:00:00Z');

    // Act
    const first = await call('eofn-stac-poll');
    const second = await call('eofn-stac-poll');

    // Assess: 0810 is too cloudy (71 %), 0813 came by notification already.
    expect(first.items).toBe(5);
    expect(first.jobs.sort()).toEqual(['S2A_33TWM_20230815_0_L2A', 'S2A_33TWM_20230818_0_L2A', 'S2B_33TWM_20230820_0_L2A'].map((i) => `ndvi-max-${i}`));
    expect(first.since).toBe('2023-08-08T00:00:00.000Z');
    expect(await dias.store.watermark(source)).toBe('2023-08-20T09:57:56.646000Z');
    expect(second.since).toBe('2023-08-19T09:57:56.646Z');
    expect(second.jobs).toEqual([]);
    expect(stacRequests[0]).toMatchObject({ method: 'POST', body: { collections: ['sentinel-2-l2a'], sortby: [{ field: 'properties.datetime', direction: 'asc' }] } });
    expect(stacRequests.filter((r) => r.body.offset === 3)).toHaveLength(1);
    for (const id of first.jobs) expect((await dias.store.status(id))?.status).toBe('RUNNING');
  });
});
