/**
 * Storages of a function in the cloud: `s3://` and `https://` only, from the deployment's allow-list when
 * one is set (`EOFN_ALLOWED_HOSTS`, `EOFN_ALLOWED_BUCKETS`). Local file reads are refused, so that a job's
 * hrefs cannot make a function read its own disk.
 *
 * @example
 * useCloudStorages(); // first line of every Lambda entry
 */
import { HttpStorage } from '../../core/io/httpStorage.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { S3Storage } from '../shared/s3Storage.ts';
import { storagePolicyFromEnv } from '../shared/storagePolicyFromEnv.ts';

export function useCloudStorages(s3: S3Storage = S3Storage.fromEnvironment(), env: Record<string, string | undefined> = process.env): void {
  const { policy, http } = storagePolicyFromEnv(env, { buckets: [env.EOFN_STAGING ? new URL(env.EOFN_STAGING).hostname : ''].filter(Boolean) });
  setPolicy(policy);
  const web = new HttpStorage(http);
  registerStorage('https', web);
  registerStorage('http', web); // refused by the policy unless the host is in EOFN_ALLOWED_HTTP_HOSTS
  registerStorage('s3', s3);
}
