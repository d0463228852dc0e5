/**
 * A local HTTP server that answers STAC API searches with the real responses recorded from Earth Search,
 * Copernicus Data Space and Planetary Computer (`test/fixtures/stac-api/`, provenance there). It picks the
 * recording by method, path and the paging token of the request, rewrites only the API origin in what it
 * serves (so `next` links come back here), and logs every request. A continuation past the recorded pages
 * gets an empty ItemCollection, as an API answers past its last page. Under `/broken/` it misbehaves:
 * `500`, `garbage` (HTML), `empty`, `not-a-collection`, `ignores-token` (page 1 again and again). `/earth-search-unrewritten/` serves Earth Search's
 * first page with its real `next` link (to the real host).
 *
 * @example
 * const api = await startRecordedStacApi();
 * await searchStac({ url: `${api.url}/cdse/v1`, collections: ['sentinel-2-l2a'] });
 * api.requests[0].body; // what the client POSTed
 * await api.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '../fixtures/stac-api');

const ORIGINS: Record<string, string> = {
  'earth-search': 'https://earth-search.aws.element84.com',
  cdse: 'https://stac.dataspace.copernicus.eu',
  'planetary-computer': 'https://planetarycomputer.microsoft.com',
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
}

export interface RecordedStacApi {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export function recorded(file: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
}

const nextBody = (file: string) => recorded(file).links.find((l: { rel: string }) => l.rel === 'next').body;
const nextToken = (file: string) => new URL(recorded(file).links.find((l: { rel: string }) => l.rel === 'next').href).searchParams.get('token');

const EMPTY_PAGE = { type: 'FeatureCollection', features: [], links: [] };

/** Which recording answers a request; undefined: not a request the recordings know. */
function route(api: string, method: string, path: string, query: URLSearchParams, body: any): string | typeof EMPTY_PAGE | undefined {
  if (api === 'earth-search' && method === 'POST' && path === '/v1/search') {
    if (body?.next === nextBody('earth-search-v1/search_filter_page1_POST.json').next) return 'earth-search-v1/search_filter_page2_POST.json';
    if (body?.next) return EMPTY_PAGE;
    if (body?.filter) return 'earth-search-v1/search_filter_page1_POST.json';
    if (body?.collections?.includes('landsat-c2-l2')) return 'earth-search-v1/search_s2l2a_landsat_13TDE_20231008_POST.json';
  }
  const cdseItem = /^\/v1\/collections\/sentinel-2-l2a\/items\/(S2B_MSIL2A_20200705T101559_N0500_R065_T32TNT_20230530T175912)$/.exec(path);
  if (api === 'cdse' && method === 'GET' && cdseItem) return `cdse/item_${cdseItem[1]}.json`;
  if (api === 'cdse' && method === 'POST' && path === '/v1/search' && body?.collections?.includes('sentinel-2-l2a')) {
    return 'cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_POST.json';
  }
  if (api === 'planetary-computer' && method === 'POST' && path === '/api/stac/v1/search') {
    if (!body?.token) return 'planetary-computer/search-page-1.json';
    if (body.token === nextBody('planetary-computer/search-page-1.json').token) return 'planetary-computer/search-page-2.json';
    return EMPTY_PAGE;
  }
  if (api === 'planetary-computer' && method === 'GET' && path === '/api/stac/v1/collections/sentinel-2-l2a/items') {
    const token = query.get('token');
    if (!token) return 'planetary-computer/items-page-1.json';
    if (token === nextToken('planetary-computer/items-page-1.json')) return 'planetary-computer/items-page-2.json';
    return EMPTY_PAGE;
  }
  return undefined;
}

export async function startRecordedStacApi(): Promise<RecordedStacApi> {
  const requests: RecordedRequest[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, base);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
      requests.push({ method: req.method!, path: url.pathname, query: url.searchParams, body });
      const [, api, ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      if (api === 'broken' && rest[0] === 'ignores-token') {
        // Planetary Computer's page 1 for every request: a server that ignores the paging token.
        const page = readFileSync(join(FIXTURES, 'planetary-computer/search-page-1.json'), 'utf8');
        return send(res, 200, page.replaceAll(`${ORIGINS['planetary-computer']}/api/stac/v1`, `${base}/broken/ignores-token`));
      }
      if (api === 'broken') return broken(rest[0], res);
      if (api === 'earth-search-unrewritten') {
        return send(res, 200, readFileSync(join(FIXTURES, 'earth-search-v1/search_filter_page1_POST.json'), 'utf8'));
      }
      const answer = ORIGINS[api] ? route(api, req.method!, path, url.searchParams, body) : undefined;
      if (!answer) return send(res, 404, JSON.stringify({ code: 'NotFound', description: 'no recording for this request' }));
      const json = typeof answer === 'string' ? readFileSync(join(FIXTURES, answer), 'utf8') : JSON.stringify(answer);
      send(res, 200, json.replaceAll(ORIGINS[api], `${base}/${api}`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function send(res: import('node:http').ServerResponse, status: number, body: string, type = 'application/geo+json'): void {
  res.writeHead(status, { 'content-type': type }).end(body);
}

function broken(kind: string | undefined, res: import('node:http').ServerResponse): void {
  if (kind === '500') return send(res, 500, 'Internal Server Error: stack trace with SECRET-TOKEN-123', 'text/plain');
  if (kind === 'garbage') return send(res, 200, '<html><body>SECRET-TOKEN-123 maintenance</body></html>', 'text/html');
  if (kind === 'empty') return send(res, 200, JSON.stringify(EMPTY_PAGE));
  if (kind === 'not-a-collection') return send(res, 200, JSON.stringify({ type: 'Feature', id: 'SECRET-TOKEN-123' }));
  send(res, 404, '{}');
}
