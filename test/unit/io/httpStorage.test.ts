/**
 * HttpStorage against a local HTTP server: Range requests, size learnt from Content-Range (no HEAD), servers
 * that ignore Range, errors as InputError, read-only writes; and openRaster reading a TIFF by ranges only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { HttpStorage } from '../../../functions/core/io/httpStorage.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { buildTiff, DATA_OFFSET, LONG, SHORT, stripImage } from '../raster/tiffBuilder.ts';

const objects = new Map<string, Uint8Array>();
const seen: { method: string; url: string; range?: string }[] = [];
let ignoreRange = false;
let server: Server;
let base: string;

function serve(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range });
  const body = objects.get(req.url ?? '');
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (m && !ignoreRange) {
    const start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const end = Math.min(Number(m[2]), body.length - 1);
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': end - start + 1 });
    res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

beforeAll(async () => {
  registerCoreStorages();
  server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  objects.set('/ten.bin', new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // 300 x 300 uint8 in 3 strips of 100 rows: bigger than the 64 KiB header the reader keeps
  const data = new Uint8Array(90_000).map((_, i) => i % 251);
  objects.set('/strips.tif', buildTiff({
    entries: stripImage(300, 300, [
      { tag: 273, type: LONG, values: [DATA_OFFSET, DATA_OFFSET + 30_000, DATA_OFFSET + 60_000] },
      { tag: 278, type: SHORT, values: [100] },
      { tag: 279, type: LONG, values: [30_000, 30_000, 30_000] },
    ]),
    data,
  }));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  ignoreRange = false;
});

describe('HttpStorage', () => {
  it('reads a range with a Range header and learns the size from Content-Range', async () => {
    // Prepare
    const storage = new HttpStorage();
    // Act
    const bytes = await storage.readRange(`${base}/ten.bin`, 2, 3);
    const size = await storage.size(`${base}/ten.bin`);
    // Assess
    expect(Array.from(bytes)).toEqual([2, 3, 4]);
    expect(size).toBe(10);
    expect(seen).toEqual([{ method: 'GET', url: '/ten.bin', range: 'bytes=2-4' }]);
  });

  it('returns fewer bytes at the end and none past it', async () => {
    // Prepare
    const storage = new HttpStorage();
    // Act / Assess
    expect(Array.from(await storage.readRange(`${base}/ten.bin`, 8, 10))).toEqual([8, 9]);
    expect((await storage.readRange(`${base}/ten.bin`, 20, 5)).length).toBe(0);
  });

  it('slices the body when the server ignores Range', async () => {
    // Prepare
    ignoreRange = true;
    const storage = new HttpStorage();
    // Act
    const bytes = await storage.readRange(`${base}/ten.bin`, 5, 3);
    // Assess
    expect(Array.from(bytes)).toEqual([5, 6, 7]);
  });

  it('asks with HEAD for a size it has not learnt, undefined when missing', async () => {
    // Prepare
    const storage = new HttpStorage();
    // Act / Assess
    expect(await storage.size(`${base}/ten.bin`)).toBe(10);
    expect(await storage.size(`${base}/missing.bin`)).toBeUndefined();
    expect(seen.map((s) => s.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('names a missing object in an InputError', async () => {
    // Act
    const err = await new HttpStorage().readRange(`${base}/missing.bin`, 0, 4).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${base}/missing.bin: not found (HTTP 404)`);
  });

  it('is read-only', async () => {
    // Prepare
    const storage = new HttpStorage();
    // Act / Assess
    await expect(storage.write(`${base}/x`)).rejects.toThrow(/read-only/);
    await expect(storage.writeFile(`${base}/x`)).rejects.toThrow(/read-only/);
    await expect(storage.list(`${base}/`)).rejects.toThrow(/read-only/);
  });
});

describe('openRaster over http', () => {
  it('reads the header, the IFD, then the blocks a window needs in one merged range request', async () => {
    // Prepare
    const href = `${base}/strips.tif`;
    const raster = await openRaster(href);
    const opening = seen.splice(0);
    // Act
    const values = await raster.readWindow({ x: 0, y: 150, width: 300, height: 150 });
    // Assess
    // Not a COG: the IFD follows the pixel data, so it takes a second request (with all its tag values)
    const ifdAt = DATA_OFFSET + 90_000;
    const size = objects.get('/strips.tif')!.length;
    expect(opening).toEqual([
      { method: 'GET', url: '/strips.tif', range: 'bytes=0-65535' },
      { method: 'GET', url: '/strips.tif', range: `bytes=${ifdAt}-${size - 1}` },
    ]);
    expect(seen).toEqual([{ method: 'GET', url: '/strips.tif', range: `bytes=${DATA_OFFSET + 30_000}-${DATA_OFFSET + 89_999}` }]);
    expect(values[0]).toBe((150 * 300) % 251);
    expect(values[values.length - 1]).toBe((90_000 - 1) % 251);
    expect(raster.info.grid.width).toBe(300);
  });
});
