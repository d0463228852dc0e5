/**
 * Storages of a function on a DIAS: `s3://` on the provider's S3-compatible endpoints (path-style, as Ceph
 * RGW without wildcard DNS needs) and `https://` for catalogues; the function's own disk is off limits.
 *
 * @example
 * registerDiasStorages(loadDiasConfig());
 */
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { s3Client } from '../shared/awsClients.ts';
import { S3Storage } from '../shared/s3Storage.ts';
import { BucketRoutedStorage } from './bucketRoutedStorage.ts';
import type { DiasConfig, S3Endpoint } from './diasConfig.ts';

export function registerDiasStorages(config: Pick<DiasConfig, 'results' | 'archive'>): void {
  registerCoreStorages();
  setPolicy({ allowFile: false });
  const results = storageFor(config.results);
  registerStorage('s3', config.archive
    ? new BucketRoutedStorage(new Set(config.archive.buckets), storageFor(config.archive), results)
    : results);
}

function storageFor(endpoint: S3Endpoint): S3Storage {
  return new S3Storage(s3Client({ ...endpoint, forcePathStyle: true }));
}
