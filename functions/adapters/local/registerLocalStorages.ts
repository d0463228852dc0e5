/**
 * Storages of a local run: files and https from the core, plus s3:// when the user's environment
 * points at S3 (credentials and region as the AWS SDK finds them; `AWS_ENDPOINT_URL` for Ceph/MinIO).
 */
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { S3Storage } from '../shared/s3Storage.ts';

let registered = false;

export function registerLocalStorages(): void {
  setPolicy({ allowFile: true }); // a local run reads local files; cloud adapters turn this off
  if (registered) return;
  registered = true;
  registerCoreStorages();
  registerStorage('s3', S3Storage.fromEnvironment());
}
