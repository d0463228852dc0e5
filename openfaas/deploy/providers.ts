/**
 * Provider profiles (`openfaas/providers/<name>.json`): the S3 endpoints of the EO archive and of the
 * results bucket, the region, the catalogue, and defaults. `--set KEY=VALUE` overrides any environment
 * value at deploy time.
 *
 * @example
 * const profile = await loadProvider('creodias');
 * profile.environment.EOFN_S3_ENDPOINT; // 'https://s3.waw3-1.cloudferro.com'
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OP_NAMES, type OpName } from '../../functions/core/ops/descriptors.ts';

export const PROVIDERS_DIR = fileURLToPath(new URL('../providers/', import.meta.url));

export const ProviderSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  /** Environment shared by every function: S3 endpoints, region, archive buckets, STAC API, … */
  environment: z.record(z.string(), z.string()),
  /** Cron schedule of the STAC poller (the reconciler always runs every minute). */
  stacPollSchedule: z.string(),
  /**
   * Memory (MiB) of op functions that differs from their descriptor's default (`functions/core/ops/<op>/descriptor.ts`):
   * the function gets it and the jobs function plans that op's partitions for it (EOFN_OP_MEMORY_MB).
   */
  opMemoryMb: z.partialRecord(z.enum(OP_NAMES as [OpName, ...OpName[]]), z.number().int().min(128)).optional(),
  /** Largest number of replicas of each op function. */
  maxReplicas: z.number().int().positive(),
  /** Whether the archive needs its own keys (secrets eofn-archive-access-key / -secret-key). */
  archiveCredentials: z.boolean(),
  notes: z.array(z.string()).default([]),
});
export type Provider = z.infer<typeof ProviderSchema>;

export async function listProviders(dir = PROVIDERS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export async function loadProvider(name: string, dir = PROVIDERS_DIR): Promise<Provider> {
  const known = await listProviders(dir);
  if (!known.includes(name)) throw new Error(`unknown provider "${name}": choose one of ${known.join(', ')}`);
  return ProviderSchema.parse(JSON.parse(await readFile(`${dir}${name}.json`, 'utf8')));
}
