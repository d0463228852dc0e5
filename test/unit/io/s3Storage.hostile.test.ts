/**
 * S3Storage against an S3-compatible endpoint that misbehaves (issue 10): a range answer shifted by a byte,
 * a range answer longer than asked, and an object larger than a whole-file read allows are refused with
 * the href named, never returned as data.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { s3Client } from '../../../functions/adapters/shared/awsClients.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';

const OBJECT = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
let mode: 'shifted' | 'long' | 'big' = 'shifted';
let server: Server;
let storage: S3Storage;

beforeAll(async () => {
  server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (mode === 'big' || !m) {
      res.writeHead(200, { 'content-length': String(OBJECT.length), 'content-type': 'application/octet-stream' }).end(OBJECT);
      return;
    }
    const [start, end] = [Number(m[1]), Number(m[2])];
    const [s, e] = mode === 'shifted' ? [start - 1, end - 1] : [start, Math.min(9, end + 3)];
    res.writeHead(206, { 'content-range': `bytes ${s}-${e}/10`, 'content-length': String(e - s + 1) }).end(OBJECT.subarray(s, e + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  storage = new S3Storage(s3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' } }), 8);
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function refusal(work: Promise<unknown>): Promise<string> {
  const e = await work.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return (e as Error).message;
}

describe('S3Storage against a hostile endpoint', () => {
  it('refuses a range answer that starts one byte early', async () => {
    mode = 'shifted';
    expect(await refusal(storage.readRange('s3://b/k.tif', 4, 3))).toMatch(/^s3:\/\/b\/k\.tif: the store answered bytes 3-5\/10 to a request for bytes 4-6$/);
  });

  it('refuses a range answer longer than the range asked', async () => {
    mode = 'long';
    expect(await refusal(storage.readRange('s3://b/k.tif', 2, 3))).toMatch(/s3:\/\/b\/k\.tif: the store answered bytes 2-7\/10 to a request for bytes 2-4/);
  });

  it('refuses a whole-object read past its limit before reading the body', async () => {
    mode = 'big';
    expect(await refusal(storage.readAll('s3://b/big.json'))).toMatch(/holds 10 bytes, more than the 8 bytes a whole-file read allows/);
  });
});
