/**
 * The streaming conversion of an unindexed parcel file with the source and the output on S3 (fauxqs, real
 * SDK over HTTP): range reads of the source, the converted file through S3Storage.writeStream, the same
 * bytes as the in-memory writer; a file that fails leaves no object under the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { registerStorage, storageFor } from '../../../functions/core/io/storage.ts';
import { indexParcelFile } from '../../../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { readParcelFile } from '../../../functions/core/vector/readParcelFile.ts';
import { writeIndexedFlatGeobuf } from '../../../functions/core/vector/writeIndexedFlatGeobuf.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';

const NOINDEX = join(import.meta.dirname, '../../fixtures/parcels/grid/parcel-grid-noindex.fgb');
let aws: AwsTestEnv;

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: [] });
  registerCoreStorages();
  registerStorage('s3', new S3Storage(aws.s3));
}, 60_000);
afterAll(() => aws?.stop());

describe('indexParcelFile on S3', () => {
  it('converts an unindexed FlatGeobuf read by range requests into the in-memory writer\'s bytes', async () => {
    // Prepare
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: 'in/grid.fgb', Body: readFileSync(NOINDEX) }));
    // Act
    const { href, warning } = await indexParcelFile({ href: `s3://${aws.bucket}/in/grid.fgb`, idProperty: 'pid' }, `s3://${aws.bucket}/out/a`, { chunkBytes: 64 * 1024 });
    // Assess
    expect(href).toMatch(new RegExp(`^s3://${aws.bucket}/out/a/_eofn/parcels-[0-9a-f]{12}\\.fgb$`));
    expect(warning).toMatch(/has no spatial index: read once in prepare \(2700 features/);
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: href.replace(`s3://${aws.bucket}/`, '') }));
    const bytes = await got.Body!.transformToByteArray();
    expect(Buffer.from(bytes).equals(Buffer.from(writeIndexedFlatGeobuf((await readParcelFile(NOINDEX)).features, 32633)))).toBe(true);
  });

  it('leaves nothing under the output when a feature is broken', async () => {
    // Prepare: feature 2000's size prefix says 0 bytes
    const bad = Uint8Array.from(readFileSync(NOINDEX));
    const view = new DataView(bad.buffer);
    let at = 12 + view.getUint32(8, true);
    for (let i = 0; i < 2000; i++) at += 4 + view.getUint32(at, true);
    view.setUint32(at, 0, true);
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: 'in/bad.fgb', Body: bad }));
    // Act
    const run = indexParcelFile({ href: `s3://${aws.bucket}/in/bad.fgb`, idProperty: 'pid' }, `s3://${aws.bucket}/out/b`, { chunkBytes: 64 * 1024 });
    // Assess
    await expect(run).rejects.toThrow(`s3://${aws.bucket}/in/bad.fgb: not a valid FlatGeobuf file: feature 2000 at byte ${at} claims 0 bytes`);
    expect(await storageFor(`s3://${aws.bucket}/out/b`).list(`s3://${aws.bucket}/out/b/`)).toEqual([]);
  });
});
