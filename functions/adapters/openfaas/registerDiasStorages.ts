/**
 * Storages of a function on a DIAS: `s3://` on the provider's S3-compatible endpoints (path-style, as Ceph
 * RGW without wildcard DNS needs) and `https://` for catalogues; the function's own disk is off limits, and
 * the allow-list (`EOFN_ALLOWED_HOSTS`/`_BUCKETS`, plus the STAC API's host and the archive buckets) holds.
 *
 * @example
 * registerDiasStorages(loadDiasConfig());
 */
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { HttpStorage } from '../../core/io/httpStorage.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { storagePolicyFromEnv } from '../shared/storagePolicyFromEnv.ts';
import { s3Client } from '../shared/awsClients.ts';
import { S3Storage } from '../shared/s3Storage.ts';
import { BucketRoutedStorage } from './bucketRoutedStorage.ts';
import type { DiasConfig, S3Endpoint } from './diasConfig.ts';

export function registerDiasStorages(config: Pick<DiasConfig, 'results' | 'archive' | 'stacApiUrl'>, env: Record<string, string | undefined> = process.env): void {
  registerCoreStorages();
  const { policy, http } = storagePolicyFromEnv(env, {
    hosts: config.stacApiUrl ? [new URL(config.stacApiUrl).hostname] : [], buckets: config.archive?.buckets ?? [],
  });
  setPolicy(policy);
  registerStorage('https', new HttpStorage(http));
  const results = storageFor(config.results);
  registerStorage('s3', config.archive
    ? new BucketRoutedStorage(new Set(config.archive.buckets), storageFor(config.archive), results)
    : results);
}

function storageFor(endpoint: S3Endpoint): S3Storage {
  return new S3Storage(s3Client({ ...endpoint, forcePathStyle: true }));
}
