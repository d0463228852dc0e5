/**
 * Storages of a function on a DIAS: `s3://` on the provider's S3-compatible endpoints (path-style, as Ceph
 * RGW without wildcard DNS needs) and `https://` for catalogues; the function's own disk is off limits, and
 * the allow-list (`EOFN_ALLOWED_HOSTS`/`_BUCKETS`, plus the STAC API's host and the archive buckets) holds.
 * When the archive has request limits (CDSE: 4 connections, 2000 requests/minute per account), its requests
 * pass this process's limiter and then the deployment's (`limiter`, shared through PostgreSQL), and its
 * client keeps no idle connection open.
 *
 * @example
 * registerDiasStorages(loadDiasConfig(), await pgRequestLimiter(store.pool, 'archive', limits));
 */
import { chainLimiters, LimitedStorage, type RequestLimiter } from '../../core/io/limitedStorage.ts';
import { localRequestLimiter } from '../../core/io/localRequestLimiter.ts';
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { HttpStorage } from '../../core/io/httpStorage.ts';
import { registerStorage, setPolicy, type Storage } from '../../core/io/storage.ts';
import { storagePolicyFromEnv } from '../shared/storagePolicyFromEnv.ts';
import { s3Client } from '../shared/awsClients.ts';
import { S3Storage } from '../shared/s3Storage.ts';
import { BucketRoutedStorage } from './bucketRoutedStorage.ts';
import type { DiasConfig, S3Endpoint } from './diasConfig.ts';

export function registerDiasStorages(
  config: Pick<DiasConfig, 'results' | 'archive' | 'stacApiUrl'>, deploymentLimiter?: RequestLimiter,
  env: Record<string, string | undefined> = process.env,
): void {
  registerCoreStorages();
  const { policy, http } = storagePolicyFromEnv(env, {
    hosts: config.stacApiUrl ? [new URL(config.stacApiUrl).hostname] : [], buckets: config.archive?.buckets ?? [],
  });
  setPolicy(policy);
  registerStorage('https', new HttpStorage(http));
  const results = storageFor(config.results);
  registerStorage('s3', config.archive
    ? new BucketRoutedStorage(new Set(config.archive.buckets), archiveStorage(config.archive, deploymentLimiter), results)
    : results);
}

/** The limits an archive's requests must keep, or undefined when it has none. */
export function archiveLimits(archive: DiasConfig['archive']): { maxConcurrent?: number; perMinute?: number } | undefined {
  if (!archive?.maxConnections && !archive?.maxRequestsPerMinute) return undefined;
  return { maxConcurrent: archive.maxConnections, perMinute: archive.maxRequestsPerMinute };
}

/** The archive's storage: limited when the archive has limits (see the file comment). */
export function archiveStorage(archive: NonNullable<DiasConfig['archive']>, deploymentLimiter?: RequestLimiter): Storage {
  const limits = archiveLimits(archive);
  if (!limits) return storageFor(archive);
  const maxSockets = limits.maxConcurrent ?? 50;
  const storage = new S3Storage(s3Client({ ...archive, forcePathStyle: true, connections: { maxSockets, keepAlive: false } }));
  const local = localRequestLimiter(limits);
  return new LimitedStorage(storage, deploymentLimiter ? chainLimiters(local, deploymentLimiter) : local);
}

function storageFor(endpoint: S3Endpoint): S3Storage {
  return new S3Storage(s3Client({ ...endpoint, forcePathStyle: true }));
}
