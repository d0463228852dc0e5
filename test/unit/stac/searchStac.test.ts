/**
 * STAC API search against real recorded responses (Earth Search v1, Copernicus Data Space, Planetary
 * Computer) served from 127.0.0.1: paging by POST and GET `next` links, the STAC body semantics of a POST
 * `next`, deduplication, the maxItems cap, and bad answers (500, garbage, no items) named by URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { InputError } from '../../../functions/core/errors.ts';
import { searchStac } from '../../../functions/core/stac/searchStac.ts';
import { resolveItems } from '../../../functions/core/stac/resolveItems.ts';
import { recorded, startRecordedStacApi, type RecordedStacApi } from '../../helpers/recordedStacApi.ts';

let api: RecordedStacApi;

beforeAll(async () => {
  registerCoreStorages();
  api = await startRecordedStacApi();
});
afterAll(() => api?.close());

/** The requests made by `act` only. */
async function requestsOf<T>(act: () => Promise<T>): Promise<{ result: T; requests: RecordedStacApi['requests'] }> {
  const before = api.requests.length;
  const result = await act();
  return { result, requests: api.requests.slice(before) };
}

async function errorOf(act: () => Promise<unknown>): Promise<InputError> {
  try { await act(); } catch (e) { expect(e).toBeInstanceOf(InputError); return e as InputError; }
  throw new Error('expected an error');
}

const ids = (file: string): string[] => recorded(file).features.map((f: { id: string }) => f.id);

describe('searchStac on Earth Search v1 (recorded)', () => {
  it('follows the POST next link of a CQL2 search, sending exactly the body the link gives (merge: false)', async () => {
    // Prepare
    const filter = recorded('earth-search-v1/search_filter_requests.json').page1.request_body.filter;
    // Act
    const { result, requests } = await requestsOf(() => searchStac(
      { url: `${api.url}/earth-search/v1`, filter, limit: 10, maxItems: 20 }, { overflow: 'truncate' }));
    // Assess
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /earth-search/v1/search', 'POST /earth-search/v1/search']);
    expect(requests[0].body).toEqual({ filter, 'filter-lang': 'cql2-json', limit: 10 });
    expect(requests[1].body).toEqual(recorded('earth-search-v1/search_filter_requests.json').page2.request_body);
    expect(result.items.map((i) => i.id)).toEqual([
      ...ids('earth-search-v1/search_filter_page1_POST.json'), ...ids('earth-search-v1/search_filter_page2_POST.json')]);
    expect(result).toMatchObject({ pages: 2, truncated: true, endpoint: `${api.url}/earth-search/v1/search` });
  });

  it('rejects a job search that matches more than maxItems, from numberMatched, after one request', async () => {
    // Prepare
    const filter = recorded('earth-search-v1/search_filter_requests.json').page1.request_body.filter;
    // Act
    const { result: error, requests } = await requestsOf(() => errorOf(() => searchStac({ url: `${api.url}/earth-search/v1`, filter, maxItems: 50 })));
    // Assess
    expect(requests).toHaveLength(1);
    expect(error.message).toBe(`items.search: the search at ${api.url}/earth-search/v1/search found 115912757 items, over maxItems (50): narrow it (bbox, datetime, filter) or raise maxItems`);
  });

  it('follows Earth Search\'s next link past the last matched item, sending its whole body back', async () => {
    // Prepare
    const recordedRequest = recorded('earth-search-v1/search_s2l2a_landsat_13TDE_20231008_request.json').request_body;
    const nextLink = recorded('earth-search-v1/search_s2l2a_landsat_13TDE_20231008_POST.json').links.find((l: { rel: string }) => l.rel === 'next');
    // Act
    const { result, requests } = await requestsOf(() => searchStac({ url: `${api.url}/earth-search/v1/search`, ...recordedRequest }));
    // Assess: numberMatched (2) is not trusted to end the search; the page past the last item is empty.
    expect(requests).toHaveLength(2);
    expect(requests[0].body).toEqual({ ...recordedRequest, limit: 100 });
    expect(requests[1].body).toEqual(nextLink.body);
    expect(result.items.map((i) => `${i.collection}/${i.id}`)).toEqual(['sentinel-2-l2a/S2A_13TDE_20231008_0_L2A', 'landsat-c2-l2/LC08_L2SP_033032_20231008_02_T1']);
  });

  it('refuses a next link that leads to another host', async () => {
    const error = await errorOf(() => searchStac({ url: `${api.url}/earth-search-unrewritten/v1`, collections: ['sentinel-2-c1-l2a'] }, { overflow: 'truncate' }));
    expect(error.message).toBe(`items.search: ${api.url}/earth-search-unrewritten/v1/search: "next" link leads to another host (https://earth-search.aws.element84.com); not followed`);
  });
});

describe('searchStac on Copernicus Data Space and Planetary Computer (recorded)', () => {
  it('sends CDSE the search a client sends (bbox, datetime, collections) with sortby, and gets its 4 items', async () => {
    // Prepare
    const recordedRequest = recorded('cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_request.json').request_body;
    // Act
    const { result, requests } = await requestsOf(() => searchStac({ url: `${api.url}/cdse/v1`, ...recordedRequest, sortby: '-properties.datetime', maxItems: 10 }));
    // Assess
    expect(requests[0].body).toEqual({ ...recordedRequest, sortby: [{ field: 'properties.datetime', direction: 'desc' }], limit: 11 });
    expect(result.items.map((i) => i.id)).toEqual(ids('cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_POST.json'));
    expect(Object.keys(result.items[0].assets)).toContain('B04_10m');
  });

  it('finds the same CDSE item by search as by its self link', async () => {
    // Act
    const { result } = await requestsOf(() => searchStac({ url: `${api.url}/cdse/v1`, collections: ['sentinel-2-l2a'], bbox: [9, 47, 9.1, 47.1] }));
    const self = (result.items[0].links as { rel: string; href: string }[]).find((l) => l.rel === 'self')!.href;
    const [byHref] = await resolveItems([self], undefined);
    // Assess
    expect(self).toBe(`${api.url}/cdse/v1/collections/sentinel-2-l2a/items/${result.items[0].id}`);
    expect(byHref.id).toBe(result.items[0].id);
    expect(byHref.assets.B04_10m.href).toBe(result.items[0].assets.B04_10m.href);
    expect(byHref.assets.B04_10m.href).toMatch(/^s3:\/\/eodata\/Sentinel-2\/MSI\/L2A_N0500\/.*_B04_10m\.jp2$/);
  });

  it('pages Planetary Computer /search by the token in the POST next body', async () => {
    // Act
    const { result, requests } = await requestsOf(() => searchStac({ url: `${api.url}/planetary-computer/api/stac/v1`, collections: ['sentinel-2-l2a'], limit: 1, maxItems: 10 }));
    // Assess: page 3 is past the recordings (an empty page), so the search ends with the two recorded items.
    expect(requests.map((r) => r.body)).toEqual([
      { collections: ['sentinel-2-l2a'], limit: 1 },
      recorded('planetary-computer/search-page-1.json').links.find((l: { rel: string }) => l.rel === 'next').body,
      recorded('planetary-computer/search-page-2.json').links.find((l: { rel: string }) => l.rel === 'next').body,
    ]);
    expect(result.items.map((i) => i.id)).toEqual([...ids('planetary-computer/search-page-1.json'), ...ids('planetary-computer/search-page-2.json')]);
  });

  it('pages Planetary Computer /collections/…/items by GET next links with a token', async () => {
    // Act
    const { result, requests } = await requestsOf(() => searchStac({ url: `${api.url}/planetary-computer/api/stac/v1/collections/sentinel-2-l2a/items`, limit: 1, datetime: '2023-02-16/..' }));
    // Assess
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(Object.fromEntries(requests[0].query)).toEqual({ datetime: '2023-02-16/..', limit: '1' });
    expect(requests[1].query.get('token')).toMatch(/^next:S2A_MSIL2A_20230216T235751_R087_T52CEB/);
    expect(result.items.map((i) => i.id)).toEqual([...ids('planetary-computer/items-page-1.json'), ...ids('planetary-computer/items-page-2.json')]);
  });

  it('encodes a GET search as the STAC API says: lists comma-separated, CQL2 JSON and geometries as JSON, sortby signed', async () => {
    // Prepare
    const filter = { op: '<=', args: [{ property: 'eo:cloud_cover' }, 40] };
    // Act
    const { requests } = await requestsOf(() => searchStac({ url: `${api.url}/planetary-computer/api/stac/v1/collections/sentinel-2-l2a/items`,
      collections: ['ignored-on-items'], bbox: [9, 47, 9.1, 47.1], filter, sortby: [{ field: 'properties.datetime', direction: 'desc' }], limit: 1 }));
    // Assess
    expect(Object.fromEntries(requests[0].query)).toEqual({
      bbox: '9,47,9.1,47.1', filter: JSON.stringify(filter), 'filter-lang': 'cql2-json', sortby: '-properties.datetime', limit: '1',
    });
  });

  it('counts items against maxItems when the API reports no numberMatched', async () => {
    const error = await errorOf(() => searchStac({ url: `${api.url}/planetary-computer/api/stac/v1`, collections: ['sentinel-2-l2a'], limit: 1, maxItems: 1 }));
    expect(error.message).toMatch(/found more than 1 items, over maxItems \(1\)/);
  });

  it('drops items a later page repeats, and stops when a page brings nothing new', async () => {
    // Act: this server answers every page with Planetary Computer's recorded page 1.
    const { result, requests } = await requestsOf(() => searchStac({ url: `${api.url}/broken/ignores-token`, collections: ['sentinel-2-l2a'], limit: 1 }));
    // Assess
    expect(requests).toHaveLength(2);
    expect(result.items.map((i) => i.id)).toEqual(ids('planetary-computer/search-page-1.json'));
  });
});

describe('searchStac on a misbehaving API', () => {
  it.each([
    ['500', /STAC API search failed \(page 1\): .*\/broken\/500\/search: request failed after 3 attempts: HTTP 500$/],
    ['garbage', /\/broken\/garbage\/search \(page 1\) answered with something that is not JSON \(\d+ bytes\)$/],
    ['not-a-collection', /\/broken\/not-a-collection\/search \(page 1\) did not answer with a STAC ItemCollection \(no "features" list\)$/],
  ])('names the URL when the API answers %s, and never repeats what it sent', async (kind, expected) => {
    const error = await errorOf(() => searchStac({ url: `${api.url}/broken/${kind}` }));
    expect(error.message).toMatch(expected);
    expect(error.message).toContain(`${api.url}/broken/${kind}/search`);
    expect(error.message).not.toContain('SECRET-TOKEN');
  });

  it('returns no items for an empty answer (the job side decides that is an error)', async () => {
    const result = await searchStac({ url: `${api.url}/broken/empty` });
    expect(result.items).toEqual([]);
  });
});
