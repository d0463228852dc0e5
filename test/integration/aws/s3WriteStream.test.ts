/**
 * The S3 storage's streamed write, as the raster merge uploads a COG: chunks of any size become
 * multipart parts (a small object one PutObject), the object appears whole, and a body that fails half-way
 * leaves no object behind. Against the S3 emulator over HTTP, with the real SDK.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';

const BUCKET = 'eofn-stream';
let aws: AwsTestEnv;
let storage: S3Storage;

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: [] });
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // 5 MiB parts (S3's smallest): the emulator takes smaller request bodies than S3's 16 MB parts.
  storage = new S3Storage(aws.s3, undefined, 5 * 2 ** 20);
});

afterAll(async () => aws?.stop());

/** `total` deterministic bytes in chunks of uneven sizes (a COG's head, tiles, 8 MB reads). */
async function* chunks(total: number, failAt?: number): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for (let i = 0; sent < total; i++) {
    const n = Math.min(total - sent, [1_234, 3 * 2 ** 20 + 17, 8 * 2 ** 20, 65_536][i % 4]);
    if (failAt !== undefined && sent + n > failAt) throw new Error('the part store went away');
    const chunk = new Uint8Array(n);
    for (let j = 0; j < n; j++) chunk[j] = ((sent + j) * 31) % 251;
    yield chunk;
    sent += n;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const c of body) all.push(c);
  return Buffer.concat(all);
}

describe('S3Storage.writeStream', () => {
  it('uploads a 12 MB body as multipart parts (three of at most 5 MiB) and the object equals the body', async () => {
    const href = `s3://${BUCKET}/out/result.tif`;
    await storage.writeStream(href, chunks(12 * 2 ** 20 + 5), 'image/tiff');
    const expected = await collect(chunks(12 * 2 ** 20 + 5));
    expect(await storage.size(href)).toBe(expected.length);
    const head = await storage.readRange(href, 0, 1024);
    const tail = await storage.readRange(href, expected.length - 1024, 1024);
    expect(Buffer.from(head).equals(expected.subarray(0, 1024))).toBe(true);
    expect(Buffer.from(tail).equals(expected.subarray(expected.length - 1024))).toBe(true);
    const whole = await storage.readRange(href, 0, expected.length);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('writes a small body with one PutObject', async () => {
    const href = `s3://${BUCKET}/out/small.tif`;
    await storage.writeStream(href, chunks(70_000), 'image/tiff');
    expect(Buffer.from(await storage.readAll(href)).equals(await collect(chunks(70_000)))).toBe(true);
  });

  it('leaves no object when the body fails half-way', async () => {
    const href = `s3://${BUCKET}/out/broken.tif`;
    await expect(storage.writeStream(href, chunks(12 * 2 ** 20, 7 * 2 ** 20))).rejects.toThrow(/the part store went away/);
    expect(await storage.size(href)).toBeUndefined();
  });
});
