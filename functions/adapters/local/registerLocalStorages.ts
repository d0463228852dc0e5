/**
 * Storages of a local run: files and https from the core, plus s3:// when the user's environment
 * points at S3 (credentials and region as the AWS SDK finds them; `AWS_ENDPOINT_URL` for Ceph/MinIO).
 */
import { registerCoreStorages } from '../../core/io/registerCoreStorages.ts';
import { registerStorage } from '../../core/io/storage.ts';
import { S3Storage } from '../shared/s3Storage.ts';

let registered = false;

export function registerLocalStorages(): void {
  if (registered) return;
  registered = true;
  registerCoreStorages();
  registerStorage('s3', S3Storage.fromEnvironment());
}
