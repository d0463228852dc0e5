/**
 * Storages of a local run: files and https from the core, plus s3:// when the user's environment
 * points at S3 (credentials and region as the AWS SDK finds them; `AWS_ENDPOINT_URL` for Ceph/MinIO).
 * Whole-file reads are bounded as in the cloud (`EOFN_MAX_READ_MB`, default 256).
 */
import { HttpStorage } from '../../core/io/httpStorage.ts';
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { S3Storage } from '../shared/s3Storage.ts';
import { storagePolicyFromEnv } from '../shared/storagePolicyFromEnv.ts';

let registered = false;

export function registerLocalStorages(): void {
  setPolicy({ allowFile: true }); // a local run reads local files; cloud adapters turn this off
  if (registered) return;
  registered = true;
  registerCoreStorages();
  const { http } = storagePolicyFromEnv(process.env);
  registerStorage('https', new HttpStorage(http));
  registerStorage('s3', S3Storage.fromEnvironment());
}
