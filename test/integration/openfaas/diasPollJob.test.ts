/**
 * From catalogue to product on a DIAS: the STAC poller finds Copernicus Data Space-style items (the real
 * CDSE item's metadata and asset keys `B04_10m`, `B08_10m`, `SCL_20m`, hrefs under `s3://eodata/Sentinel-2/…`),
 * the arrival rule starts a job written with `red`/`nir`/`scl`, which resolve to those keys, and the job
 * reads the bands (scaled by the items' `raster:scale/offset`) through the archive endpoint under the CDSE
 * request limits (4 connections, 2000 requests/minute, kept in PostgreSQL) to a product byte-identical to
 * `eofn run` on the same item. The band files are JPEG 2000, as on the archive: the sample 33TWM date as
 * test/fixtures/jp2/cdse holds it (lossless, tiled, +1000 in the pixels), read by range requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { jobsForArrival } from '../../../functions/core/arrivals/arrivalRules.ts';
import { recorded } from '../../helpers/recordedStacApi.ts';
import { sampleItemPath } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const SAMPLE_ID = 'S2B_33TWM_20230813_0_L2A';
const ID = 'S2B_MSIL2A_20230813T100559_N0509_R022_T33TWM_20230813T130512';
const PREFIX = `Sentinel-2/MSI/L2A/2023/08/13/${ID}.SAFE/GRANULE/L2A_T33TWM/IMG_DATA`;
const JP2_GRANULE = 'test/fixtures/jp2/cdse/S2B_MSIL2A_20230813T100753_N0509_R079_T33TWM_20230813T130104.SAFE/GRANULE/L2A_T33TWM_A000000_20230813T100753/IMG_DATA';
const FILES = {
  B04_10m: ['R10m/T33TWM_20230813T100753_B04_10m.jp2', `R10m/T33TWM_20230813T100559_B04_10m.jp2`],
  B08_10m: ['R10m/T33TWM_20230813T100753_B08_10m.jp2', `R10m/T33TWM_20230813T100559_B08_10m.jp2`],
  SCL_20m: ['R20m/T33TWM_20230813T100753_SCL_20m.jp2', `R20m/T33TWM_20230813T100559_SCL_20m.jp2`],
};
const RULES = [{
  name: 'ndvi-cdse', collection: 'sentinel-2-l2a', tiles: ['33TWM'], maxCloudCover: 40,
  job: { op: 'tile-reduce', params: { expression: '(nir - red) / (nir + red)', reducer: 'max', mask: { asset: 'scl', exclude: [0, 1, 3, 8, 9, 10] } },
    output: 's3://results/{rule}/{tile}/{date}' },
}];

let dias: DiasHarness;
let stac: Server;
let stacUrl: string;
let item: any;

/** The real CDSE item, moved onto the sample date of 33TWM (see the file comment). */
async function cdseItemOnSampleData(): Promise<any> {
  const real = recorded('cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_POST.json').features[0];
  const sample = JSON.parse(await readFile(sampleItemPath(SAMPLE_ID), 'utf8'));
  const assets = Object.fromEntries(Object.entries(FILES).map(([key, [, path]]) => [key, { ...real.assets[key], href: `s3://eodata/${PREFIX}/${path}` }]));
  return {
    ...real, id: ID, bbox: sample.bbox, geometry: sample.geometry, assets,
    properties: { ...real.properties, datetime: sample.properties.datetime, 'eo:cloud_cover': sample.properties['eo:cloud_cover'], 'grid:code': 'MGRS-33TWM' },
    links: [{ rel: 'self', href: `s3://eodata/stac/${ID}.json` }],
  };
}

beforeAll(async () => {
  item = await cdseItemOnSampleData();
  stac = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/geo+json' })
      .end(JSON.stringify({ type: 'FeatureCollection', features: [item], links: [] })));
  });
  await new Promise<void>((r) => stac.listen(0, '127.0.0.1', r));
  stacUrl = `http://127.0.0.1:${(stac.address() as AddressInfo).port}/v1`;
  // The archive keys (secrets eofn-archive-*) are not in the harness: the SDK takes these instead.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  dias = await startDiasHarness('polljob', ['stac-poll', 'jobs', 'tile-reduce', 'finalize'], {
    EOFN_STAC_API_URL: stacUrl, EOFN_STAC_COLLECTIONS: 'sentinel-2-l2a', EOFN_STAC_SORTBY: 'properties.datetime',
    EOFN_ARCHIVE_BUCKETS: 'eodata', EOFN_ARCHIVE_MAX_CONNECTIONS: '4', EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE: '2000',
  });
  await dias.put('results', 'config/arrival-rules.json', JSON.stringify(RULES));
  await dias.put('eodata', `stac/${ID}.json`, JSON.stringify(item));
  for (const [file, path] of Object.values(FILES)) await dias.put('eodata', `${PREFIX}/${path}`, await readFile(join(JP2_GRANULE, file)));
});

afterAll(async () => {
  await dias?.close();
  await new Promise((r) => stac?.close(r));
});

describe('a job found by the DIAS STAC poller', () => {
  it('runs on CDSE-style items read through the limited archive endpoint, to the same product as eofn run', async () => {
    // Prepare
    await dias.store.setWatermark(`stac:${stacUrl}|sentinel-2-l2a`, '2023-08-12T00:00:00Z');

    // Act
    const res = await fetch(`${dias.gateway.url}/function/eofn-stac-poll`, { method: 'POST', body: '{}' });
    const polled = await res.json();
    await dias.gateway.idle();

    // Assess
    const jobId = `ndvi-cdse-${ID}`;
    expect(polled).toMatchObject({ items: 1, jobs: [jobId] });
    expect(await dias.store.status(jobId)).toMatchObject({ status: 'SUCCEEDED', failed: 0, output: 's3://results/ndvi-cdse/33TWM/2023-08-13' });
    const slots = await dias.store.pool.query('SELECT count(*)::int AS n FROM request_slots WHERE pool = $1', ['archive']);
    expect(slots.rows[0].n).toBe(4);

    // The same job on this machine, reading the same objects from the emulated eodata bucket.
    const refDir = await mkdtemp(join(tmpdir(), 'eofn-polljob-ref-'));
    try {
      process.env.AWS_ENDPOINT_URL_S3 = dias.env.EOFN_S3_ENDPOINT;
      registerLocalStorages();
      const [job] = jobsForArrival({ href: `s3://eodata/stac/${ID}.json`, item }, RULES);
      await runJobLocally({ job: { raw: job }, output: join(refDir, 'out'), workers: 1, quiet: true });
      const product = Buffer.from(await dias.get('results', 'ndvi-cdse/33TWM/2023-08-13/result.tif'));
      expect(product.equals(await readFile(join(refDir, 'out/result.tif')))).toBe(true);
      const productItem = JSON.stringify(JSON.parse(new TextDecoder().decode(await dias.get('results', 'ndvi-cdse/33TWM/2023-08-13/item.json'))));
      for (const key of ['B04_10m', 'B08_10m', 'SCL_20m']) expect(productItem).toContain(`"key":"${key}"`);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
      await rm(refDir, { recursive: true, force: true });
    }
  });
});
