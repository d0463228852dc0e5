/**
 * One `s3://` scheme, two endpoints: on a DIAS the EO archive (e.g. CREODIAS `eodata`) and the results
 * bucket are often served by different S3 endpoints with different keys. Hrefs are routed by bucket name.
 *
 * @example
 * registerStorage('s3', new BucketRoutedStorage(new Set(['eodata']), archiveStorage, resultsStorage));
 */
import { writeStreamTo, type Storage } from '../../core/io/storage.ts';
import { parseS3 } from '../shared/s3Storage.ts';

export class BucketRoutedStorage implements Storage {
  readonly archiveBuckets: Set<string>;
  readonly archive: Storage;
  readonly results: Storage;

  constructor(archiveBuckets: Set<string>, archive: Storage, results: Storage) {
    this.archiveBuckets = archiveBuckets;
    this.archive = archive;
    this.results = results;
  }

  /** The storage that serves `href`. */
  route(href: string): Storage {
    return this.archiveBuckets.has(parseS3(href).bucket) ? this.archive : this.results;
  }

  readRange(href: string, offset: number, length: number) { return this.route(href).readRange(href, offset, length); }
  readAll(href: string) { return this.route(href).readAll(href); }
  size(href: string) { return this.route(href).size(href); }
  write(href: string, bytes: Uint8Array, contentType?: string) { return this.route(href).write(href, bytes, contentType); }
  writeFile(href: string, localPath: string, contentType?: string) { return this.route(href).writeFile(href, localPath, contentType); }
  writeStream(href: string, body: AsyncIterable<Uint8Array>, contentType?: string) { return writeStreamTo(this.route(href), href, body, contentType); }
  list(prefix: string) { return this.route(prefix).list(prefix); }
  removeAll(prefix: string) { return this.route(prefix).removeAll(prefix); }
  remove(href: string) { return this.route(href).remove(href); }
}
