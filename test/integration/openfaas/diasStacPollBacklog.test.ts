/**
 * A backlog larger than one poll: the STAC poller takes `EOFN_STAC_MAX_ITEMS` items per poll, sorted by
 * datetime, and the next poll resumes where it stopped instead of looking back again (which, with a long
 * look-back, would find the same first items for ever).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_ITEM_IDS, sampleItemPath } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const RULES = [{ name: 'all', job: { op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 's3://results/{item}' } }];

let dias: DiasHarness;
let stac: Server;
let stacUrl: string;
const started: string[] = [];

beforeAll(async () => {
  const items = await Promise.all(SAMPLE_ITEM_IDS.map(async (id) => JSON.parse(await readFile(sampleItemPath(id), 'utf8'))));
  // POST /search: datetime from, ascending, pages of `limit` with merge: true next links.
  stac = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const body = JSON.parse(text);
      const all = items.filter((i) => i.properties.datetime >= body.datetime.split('/')[0]).sort((a, b) => a.properties.datetime.localeCompare(b.properties.datetime));
      const offset = Number(body.offset ?? 0);
      const next = offset + body.limit < all.length ? [{ rel: 'next', method: 'POST', merge: true, href: `${stacUrl}/search`, body: { offset: offset + body.limit } }] : [];
      res.writeHead(200, { 'content-type': 'application/geo+json' })
        .end(JSON.stringify({ type: 'FeatureCollection', features: all.slice(offset, offset + body.limit), links: next }));
    });
  });
  await new Promise<void>((r) => stac.listen(0, '127.0.0.1', r));
  stacUrl = `http://127.0.0.1:${(stac.address() as AddressInfo).port}`;
  dias = await startDiasHarness('backlog', ['stac-poll', 'jobs'], {
    EOFN_STAC_API_URL: stacUrl, EOFN_STAC_MAX_ITEMS: '2', EOFN_STAC_LOOKBACK_HOURS: '240',
  });
  await dias.put('results', 'config/arrival-rules.json', JSON.stringify(RULES));
  dias.gateway.intercept((fn, body) => {
    if (fn === 'eofn-jobs') started.push(body.job.id);
    return 'drop';
  });
});

afterAll(async () => {
  await dias?.close();
  await new Promise((r) => stac?.close(r));
});

describe('STAC polling of a backlog', () => {
  it('resumes each truncated poll where the last one stopped, then looks back again', async () => {
    // Prepare
    await dias.store.setWatermark(`stac:${stacUrl}|`, '2023-08-09T00:00:00Z');

    // Act
    const polls: any[] = [];
    for (let i = 0; i < 4; i++) {
      polls.push(await (await fetch(`${dias.gateway.url}/function/eofn-stac-poll`, { method: 'POST', body: '{}' })).json());
      await dias.gateway.idle();
    }

    // Assess
    expect(polls.map((p) => [p.since, p.items, !!p.truncated])).toEqual([
      ['2023-07-30T00:00:00.000Z', 2, true],
      ['2023-08-13T10:07:53.782000Z', 2, true],
      ['2023-08-15T09:57:57.246000Z', 2, true],
      ['2023-08-18T10:07:54.167000Z', 2, false],
    ]);
    // Jobs are dropped at eofn-jobs here, so an item at a resume point is sent again: count each once.
    expect([...new Set(started)].sort()).toEqual(SAMPLE_ITEM_IDS.map((id) => `all-${id}`).sort());
  });
});
