/**
 * Storages of a function in the cloud: `s3://` and `https://` only. Local file reads are refused, so that
 * a job's hrefs cannot make a function read its own disk.
 *
 * @example
 * useCloudStorages(); // first line of every Lambda entry
 */
import { HttpStorage } from '../../core/io/httpStorage.ts';
import { registerStorage, setPolicy } from '../../core/io/storage.ts';
import { S3Storage } from '../shared/s3Storage.ts';

export function useCloudStorages(s3: S3Storage = S3Storage.fromEnvironment()): void {
  setPolicy({ allowFile: false });
  registerStorage('https', new HttpStorage());
  registerStorage('s3', s3);
}
