/**
 * The sample items over plain HTTP on 127.0.0.1, with Range requests, and a switch that makes the data reads
 * of some files fail: `fail('B04.tif', 503)` answers every range read past a file's first bytes with a 503
 * (an outage: HttpStorage retries, then gives up with a transient IoError), `fail('B04.tif', 404)` with a
 * 404 (bad input: permanent). Header reads (offset 0) still succeed, so a job plans and only its partitions
 * meet the failure.
 *
 * @example
 * const server = await startFailingAssetServer();
 * const job = ndviJob({}, server.itemHrefs());
 * server.fail('B04.tif', 503);
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { SAMPLE_ITEM_IDS, SAMPLE_ITEMS_DIR } from './sampleJobs.ts';

export interface FailingAssetServer {
  url: string;
  /** The sample items' hrefs on this server. */
  itemHrefs(): string[];
  /** Range reads past byte 0 of files whose path ends with `suffix` answer `status`; undefined heals. */
  fail(suffix: string, status: number | undefined): void;
  /** Requests answered with a failure so far. */
  failed: number;
  close(): Promise<void>;
}

export async function startFailingAssetServer(root = SAMPLE_ITEMS_DIR): Promise<FailingAssetServer> {
  const failing = new Map<string, number>();
  const state = { failed: 0 };
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const status = [...failing].find(([suffix]) => path.endsWith(suffix))?.[1];
    if (status !== undefined && range && Number(range[1]) > 0) {
      state.failed++;
      res.writeHead(status).end();
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || !file.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    const bytes = await readFile(file);
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': bytes.length }).end();
      return;
    }
    if (!range) {
      res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), bytes.length - 1);
    if (start >= bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 }).end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    itemHrefs: () => SAMPLE_ITEM_IDS.map((id) => `${url}/${id}/${id}.json`),
    fail(suffix, status) {
      if (status === undefined) failing.delete(suffix); else failing.set(suffix, status);
    },
    get failed() { return state.failed; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
