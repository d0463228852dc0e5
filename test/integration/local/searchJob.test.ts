/**
 * A job whose items are a STAC API search, run with `eofn run` semantics: the search is resolved when the
 * job is prepared, its items are kept in `_eofn/prepared.json`, and a re-run uses them even when the
 * catalogue has changed since. The catalogue is "your own STAC": a small API over the sample items that
 * pages by 2 with POST `next` links asking for a body merge (`merge: true`).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { loadPrepared, preparedRefOf, prepareJob } from '../../../functions/core/engine/index.ts';
import { InputError } from '../../../functions/core/errors.ts';
import { DEMO_JOB_PATH, ndviJob, SAMPLE_ITEM_IDS, sampleItemPath, tempOutput } from '../../helpers/sampleJobs.ts';

let server: Server;
let url: string;
let published: string[] = [...SAMPLE_ITEM_IDS];
const bodies: any[] = [];

async function startOwnStac(): Promise<void> {
  const items = new Map(await Promise.all(SAMPLE_ITEM_IDS.map(async (id) => {
    const path = sampleItemPath(id);
    const item = JSON.parse(await readFile(path, 'utf8'));
    for (const asset of Object.values(item.assets) as { href: string }[]) asset.href = join(dirname(path), asset.href);
    return [id, { ...item, collection: 'sentinel-2-l2a' }] as const;
  })));
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const body = JSON.parse(text);
      bodies.push(body);
      const [from, to] = String(body.datetime).split('/');
      const all = published.map((id) => items.get(id)!).filter((i) => i.properties.datetime >= from && i.properties.datetime <= to)
        .map((i) => ({ ...i, links: [{ rel: 'self', href: `${url}/collections/sentinel-2-l2a/items/${i.id}` }] }));
      const page = Number(body.page ?? 0);
      const next = (page + 1) * body.limit < all.length
        ? [{ rel: 'next', method: 'POST', href: `${url}/search`, merge: true, body: { page: page + 1 } }] : [];
      res.writeHead(200, { 'content-type': 'application/geo+json' })
        .end(JSON.stringify({ type: 'FeatureCollection', features: all.slice(page * body.limit, (page + 1) * body.limit), links: next }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const searchJob = (output: string, search: Record<string, unknown> = {}) => ({
  ...ndviJob(), output,
  items: { search: { url, collections: ['sentinel-2-l2a'], datetime: '2023-08-01T00:00:00Z/2023-08-31T23:59:59Z', limit: 2, ...search } },
});

beforeAll(async () => {
  registerLocalStorages();
  await startOwnStac();
});
afterAll(() => new Promise((r) => server?.close(r)));

describe('a job whose items are a STAC API search', () => {
  it('gives the product of the same items listed by hand, and a re-run uses the items found the first time', async () => {
    // Prepare
    const listed = await tempOutput('listed');
    const searched = await tempOutput('searched');
    await runJobLocally({ jobHref: DEMO_JOB_PATH, output: listed, workers: 1, quiet: true });
    bodies.length = 0;

    // Act
    const first = await runJobLocally({ job: { raw: searchJob(searched) }, workers: 1, quiet: true });
    const requestsOfFirstRun = bodies.length;
    published = SAMPLE_ITEM_IDS.slice(0, 2); // the catalogue changes after the first run
    const again = await runJobLocally({ job: { raw: searchJob(searched) }, workers: 1, quiet: true, force: true })
      .finally(() => { published = [...SAMPLE_ITEM_IDS]; });

    // Assess
    expect(first.record.status).toBe('SUCCEEDED');
    expect(requestsOfFirstRun).toBe(3);
    expect(bodies[1]).toEqual({ ...bodies[0], page: 1 }); // merge: true keeps the search, adds the token
    expect(first.prepared.inputs.map((i) => i.id)).toEqual(SAMPLE_ITEM_IDS);
    expect(first.prepared.inputs[0].href).toBe(`${url}/collections/sentinel-2-l2a/items/${SAMPLE_ITEM_IDS[0]}`);
    expect(await readFile(join(searched, 'result.tif'))).toEqual(await readFile(join(listed, 'result.tif')));
    // The prepared job (which every partition loads) names the found items; they are stored beside it.
    const stored = await loadPrepared(preparedRefOf(searched));
    expect(stored.prepared.search).toMatchObject({ endpoint: `${url}/search`, pages: 3, found: 5, itemsRef: `${searched}/_eofn/search-items.json` });
    expect(stored.prepared.search?.items).toBeUndefined();
    const kept = JSON.parse(await readFile(join(searched, '_eofn/search-items.json'), 'utf8'));
    expect(kept.map((i: { id: string }) => i.id)).toEqual(SAMPLE_ITEM_IDS);
    expect(bodies).toHaveLength(requestsOfFirstRun);
    expect(again.prepared.inputs.map((i) => i.id)).toEqual(SAMPLE_ITEM_IDS);
    expect(await readFile(join(searched, 'result.tif'))).toEqual(await readFile(join(listed, 'result.tif')));
    for (const dir of [listed, searched]) await rm(dirname(dir), { recursive: true, force: true });
  });

  it('rejects a search that finds nothing, and one that finds more than maxItems, naming the URL', async () => {
    // Prepare
    const output = await tempOutput('search-bad');
    // Act
    const none = await prepareJob(searchJob(output, { datetime: '2019-01-01T00:00:00Z/2019-01-31T23:59:59Z' })).catch((e) => e);
    const tooMany = await prepareJob(searchJob(output, { maxItems: 3 })).catch((e) => e);
    // Assess
    expect(none).toBeInstanceOf(InputError);
    expect(none.message).toBe(`items.search: the search at ${url}/search found no items; check collections, bbox/intersects, datetime and filter`);
    expect(tooMany).toBeInstanceOf(InputError);
    expect(tooMany.message).toBe(`items.search: the search at ${url}/search found more than 3 items, over maxItems (3): narrow it (bbox, datetime, filter) or raise maxItems`);
    await rm(dirname(output), { recursive: true, force: true });
  });

  it('eofn run exits 2 naming the search URL when the API cannot be reached, and writes nothing', async () => {
    // Prepare: nothing listens on port 9 of this machine.
    const output = await tempOutput('search-cli');
    const jobFile = join(dirname(output), 'job.json');
    await writeFile(jobFile, JSON.stringify(searchJob(output, { url: 'http://127.0.0.1:9/stac' })));
    // Act
    const r = spawnSync(resolve('node_modules/.bin/node'), [resolve('bin/eofn.js'), 'run', jobFile, '--quiet'], { encoding: 'utf8' });
    // Assess
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('items.search: STAC API search failed (page 1): http://127.0.0.1:9/stac/search: request failed after 3 attempts');
    expect(existsSync(output)).toBe(false);
    await rm(dirname(output), { recursive: true, force: true });
  });

  it('eofn plan says how many items the search found, and where', async () => {
    // Prepare
    const output = await tempOutput('search-plan');
    const jobFile = join(dirname(output), 'job.json');
    await writeFile(jobFile, JSON.stringify(searchJob(output)));
    // Act (asynchronously: the catalogue answers from this process)
    const { stdout } = await promisify(execFile)(resolve('node_modules/.bin/node'), [resolve('bin/eofn.js'), 'plan', jobFile]);
    // Assess
    expect(stdout).toMatch(new RegExp(`^items {5}5 from ${url}/search \\(3 pages, searched \\d{4}-\\d\\d-\\d\\dT`, 'm'));
    await rm(dirname(output), { recursive: true, force: true });
  });
});
