/**
 * Registers the storages the core ships with: `file` (plain paths and `file://`) and `https` (which also
 * serves `http://`). Adapters call this once at start-up, then add their own (`s3`).
 *
 * @example
 * registerCoreStorages();
 * const raster = await openRaster('https://sentinel-cogs.s3.us-west-2.amazonaws.com/.../B04.tif');
 */
import { FileStorage } from './fileStorage.ts';
import { HttpStorage } from './httpStorage.ts';
import { registerStorage } from './storage.ts';

export function registerCoreStorages(): void {
  registerStorage('file', new FileStorage());
  registerStorage('https', new HttpStorage());
}
