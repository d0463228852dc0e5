/**
 * The DIAS STAC poller against Copernicus Data Space as it really answers (a recorded `POST /v1/search`
 * served from 127.0.0.1): it sends the search jobs use, sorted as the profile says, applies the arrival
 * rules to the CDSE items (tile from `grid:code`, cloud cover) and hands the matching ones to `eofn-jobs`
 * with their self links. Job preparation is not run here (the CDSE items' JP2 bands are in `eodata`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorded, startRecordedStacApi, type RecordedStacApi } from '../../helpers/recordedStacApi.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const RULES = [{
  name: 'ndvi-zurich', collection: 'sentinel-2-l2a', tiles: ['32TNT'], maxCloudCover: 50,
  job: { op: 'tile-reduce', params: { expression: '(nir - red) / (nir + red)', reducer: 'max' }, output: 's3://results/{rule}/{tile}/{date}' },
}];

let api: RecordedStacApi;
let dias: DiasHarness;
/** Jobs handed to eofn-jobs (and dropped there: preparing them is not this file's subject). */
const sent: any[] = [];

beforeAll(async () => {
  api = await startRecordedStacApi();
  const creodias = (await import('../../../openfaas/providers/creodias.json', { with: { type: 'json' } })).default;
  dias = await startDiasHarness('cdsepoll', ['stac-poll', 'jobs'], {
    EOFN_STAC_API_URL: `${api.url}/cdse/v1`, EOFN_STAC_COLLECTIONS: 'sentinel-2-l2a',
    EOFN_STAC_SORTBY: creodias.environment.EOFN_STAC_SORTBY, EOFN_STAC_BBOX: '9.0,47.0,9.1,47.1',
  });
  await dias.put('results', 'config/arrival-rules.json', JSON.stringify(RULES));
  dias.gateway.intercept((fn, body) => {
    if (fn === 'eofn-jobs') sent.push(body.job);
    return 'drop';
  });
});

afterAll(async () => {
  await dias?.close();
  await api?.close();
});

describe('STAC polling of Copernicus Data Space (recorded answers)', () => {
  it('searches with the profile\'s sortby, matches CDSE items by grid:code and cloud cover, and moves the watermark', async () => {
    // Prepare
    await dias.store.setWatermark(`stac:${api.url}/cdse/v1|sentinel-2-l2a`, '2020-07-01T00:00:00Z');

    // Act
    const res = await fetch(`${dias.gateway.url}/function/eofn-stac-poll`, { method: 'POST', body: '{}' });
    const out = await res.json();
    await dias.gateway.idle();

    // Assess
    const id = 'S2B_MSIL2A_20200705T101559_N0500_R065_T32TNT_20230530T175912';
    expect(out).toMatchObject({ items: 4, jobs: [`ndvi-zurich-${id}`], watermark: '2020-07-05T10:15:59.024Z' });
    const search = api.requests.at(-1)!;
    expect(search).toMatchObject({ method: 'POST', path: '/cdse/v1/search' });
    expect(search.body).toEqual({
      collections: ['sentinel-2-l2a'], bbox: [9.0, 47.0, 9.1, 47.1], datetime: '2020-06-29T00:00:00.000Z/..',
      sortby: [{ field: 'properties.datetime', direction: 'asc' }], limit: 100,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].items).toEqual([`${api.url}/cdse/v1/collections/sentinel-2-l2a/items/${id}`]);
    expect(sent[0].output).toBe('s3://results/ndvi-zurich/32TNT/2020-07-05');
    const recordedItem = recorded('cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_POST.json').features[0];
    expect(recordedItem.assets.B04_10m.href).toMatch(/^s3:\/\/eodata\//);
  });
});
