/**
 * The `s3://` storage: range reads for COGs (never a whole-object download for rasters), whole-object
 * writes, multipart upload of large local files, and deletion of a job's scratch prefix or of one object. Works with AWS S3 and S3-compatible stores.
 *
 * @example
 * registerStorage('s3', new S3Storage(s3Client({ endpoint: 'https://s3.waw3-1.cloudferro.com' })));
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand,
} from '@aws-sdk/client-s3';
import { describeError, EofnError, InputError, IoError } from '../../core/errors.ts';
import type { Storage } from '../../core/io/storage.ts';
import { HTTP_DEFAULTS, parseContentRange } from '../../core/io/httpStorage.ts';
import { s3Client } from './awsClients.ts';
import { maxReadBytesFromEnv } from './storagePolicyFromEnv.ts';

const PART_SIZE = 16 * 2 ** 20;

export function parseS3(href: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(href);
  if (!m) throw new InputError(href, 'expected s3://bucket/key');
  return { bucket: m[1], key: m[2] };
}

/**
 * An SDK error said about `href`: a missing bucket or key is bad input (named, not retried), not the
 * SDK's bare `NoSuchKey`; anything else (network, throttling) stays retryable but names the object.
 */
function located(e: unknown, href: string): Error {
  const name = (e as { name?: string }).name;
  if (name === 'NoSuchKey' || name === 'NotFound') return new InputError(href, 'object not found (S3 NoSuchKey)', { cause: e });
  if (name === 'NoSuchBucket') return new InputError(href, 'bucket not found (S3 NoSuchBucket)', { cause: e });
  if (e instanceof EofnError) return e;
  return new IoError(href, describeError(e), { cause: e });
}

export class S3Storage implements Storage {
  readonly client: S3Client;
  readonly maxReadAllBytes: number;

  /** Bytes per multipart part of a streamed write (S3 wants at least 5 MiB for every part but the last). */
  readonly streamPartBytes: number;

  constructor(client: S3Client, maxReadAllBytes: number = maxReadBytesFromEnv() ?? HTTP_DEFAULTS.maxReadAllBytes, streamPartBytes = PART_SIZE) {
    this.client = client;
    this.maxReadAllBytes = maxReadAllBytes;
    this.streamPartBytes = streamPartBytes;
  }

  static fromEnvironment(): S3Storage {
    return new S3Storage(s3Client());
  }

  async readRange(href: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    const { bucket, key } = parseS3(href);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
      // An S3-compatible store is another party too: the bytes must be the range asked for, no more.
      const range = parseContentRange(out.ContentRange ?? null);
      if (out.ContentRange !== undefined && (!range || range.start !== offset || range.end > offset + length - 1)) {
        await out.Body?.transformToByteArray().catch(() => undefined);
        throw new InputError(href, `the store answered ${out.ContentRange} to a request for bytes ${offset}-${offset + length - 1}`);
      }
      if ((out.ContentLength ?? 0) > length) throw new InputError(href, `the store announced ${out.ContentLength} bytes for a ${length}-byte range`);
      const bytes = await out.Body!.transformToByteArray();
      if (bytes.length > length) throw new InputError(href, `the store sent ${bytes.length} bytes for a ${length}-byte range`);
      return bytes;
    } catch (e) {
      throw located(e, href);
    }
  }

  async readAll(href: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3(href);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((out.ContentLength ?? 0) > this.maxReadAllBytes) {
        await (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new InputError(href, `the object holds ${out.ContentLength} bytes, more than the ${this.maxReadAllBytes} bytes a whole-file read allows (EOFN_MAX_READ_MB)`);
      }
      return await out.Body!.transformToByteArray();
    } catch (e) {
      throw located(e, href);
    }
  }

  async size(href: string): Promise<number | undefined> {
    const { bucket, key } = parseS3(href);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return out.ContentLength;
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined;
      throw located(e, href);
    }
  }

  async write(href: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    const { bucket, key } = parseS3(href);
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }))
      .catch((e) => { throw located(e, href); });
  }

  async writeFile(href: string, localPath: string, contentType?: string): Promise<void> {
    const { bucket, key } = parseS3(href);
    const { size } = await stat(localPath);
    if (size <= PART_SIZE) {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(localPath), ContentLength: size, ContentType: contentType }));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
    try {
      const parts = [];
      for (let start = 0, n = 1; start < size; start += PART_SIZE, n++) {
        const end = Math.min(start + PART_SIZE, size);
        const out = await this.client.send(new UploadPartCommand({
          Bucket: bucket, Key: key, UploadId, PartNumber: n,
          Body: createReadStream(localPath, { start, end: end - 1 }), ContentLength: end - start,
        }));
        parts.push({ ETag: out.ETag, PartNumber: n });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
      throw e;
    }
  }

  /**
   * A multipart upload fed as the chunks come, one part (16 MB) buffered at a time; a body that fits one part
   * is a single PutObject. On any failure the upload is aborted: no half object is ever visible.
   */
  async writeStream(href: string, body: AsyncIterable<Uint8Array>, contentType?: string): Promise<void> {
    const { bucket, key } = parseS3(href);
    let buffer = Buffer.allocUnsafe(this.streamPartBytes);
    let filled = 0;
    let uploadId: string | undefined;
    const parts: { ETag?: string; PartNumber: number }[] = [];
    const flush = async () => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }))).UploadId;
      const n = parts.length + 1;
      const out = await this.client.send(new UploadPartCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: buffer.subarray(0, filled), ContentLength: filled,
      }));
      parts.push({ ETag: out.ETag, PartNumber: n });
      buffer = Buffer.allocUnsafe(this.streamPartBytes);
      filled = 0;
    };
    try {
      for await (const chunk of body) {
        for (let at = 0; at < chunk.byteLength;) {
          const n = Math.min(this.streamPartBytes - filled, chunk.byteLength - at);
          buffer.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === this.streamPartBytes) await flush();
        }
      }
      if (uploadId === undefined) {
        await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: buffer.subarray(0, filled), ContentType: contentType }));
        return;
      }
      if (filled > 0) await flush();
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      if (uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw located(e, href);
    }
  }

  /** DeleteObjects in batches of 1,000 (the S3 maximum) over the listed keys under `prefix/`. */
  async removeAll(prefix: string): Promise<void> {
    const { bucket } = parseS3(prefix);
    const keys = (await this.list(prefix.replace(/\/*$/, '/'))).map((href) => parseS3(href).key);
    for (let i = 0; i < keys.length; i += 1000) {
      const out = await this.client.send(new DeleteObjectsCommand({
        Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }));
      if (out.Errors?.length) throw new Error(`could not delete ${out.Errors.length} object(s) under ${prefix}: ${out.Errors[0].Key}: ${out.Errors[0].Message}`);
    }
  }

  /** DeleteObject answers 204 for a key that is not there: deleting twice is fine. */
  async remove(href: string): Promise<void> {
    const { bucket, key } = parseS3(href);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((e) => { throw located(e, href); });
  }

  async list(prefix: string): Promise<string[]> {
    const { bucket, key } = parseS3(prefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push(`s3://${bucket}/${o.Key}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}
