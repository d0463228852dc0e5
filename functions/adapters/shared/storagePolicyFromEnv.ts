/**
 * What a cloud function may read, from its deployment's environment: `EOFN_ALLOWED_HOSTS` (https hosts,
 * `*.example.com` for subdomains) and `EOFN_ALLOWED_BUCKETS` (s3 buckets), comma-separated; unset means any
 * public host / any bucket the credentials reach. `EOFN_ALLOWED_HTTP_HOSTS` names the only hosts that may be
 * read over plain http (an in-cluster STAC API). `EOFN_MAX_READ_MB` bounds whole-file reads (job, item,
 * parcel files; default 256).
 *
 * @example
 * const { policy, http } = storagePolicyFromEnv(process.env, { hosts: ['stac.dataspace.copernicus.eu'] });
 */
import type { HttpStorageOptions } from '../../core/io/httpStorage.ts';
import type { StoragePolicy } from '../../core/io/storage.ts';

/** `also`: what the deployment's own configuration implies (its STAC API host, its archive and staging buckets). */
export function storagePolicyFromEnv(
  env: Record<string, string | undefined>, also: { hosts?: string[]; buckets?: string[] } = {},
): { policy: StoragePolicy; http: HttpStorageOptions } {
  const hosts = list(env.EOFN_ALLOWED_HOSTS);
  const buckets = list(env.EOFN_ALLOWED_BUCKETS);
  // Plain http is never implied: only hosts the operator names one by one.
  const httpHosts = (list(env.EOFN_ALLOWED_HTTP_HOSTS) ?? []).map((h) => h.toLowerCase());
  const maxBytes = maxReadBytesFromEnv(env);
  return {
    policy: {
      allowFile: false,
      ...(hosts ? { allowedHosts: [...hosts, ...(also.hosts ?? [])] } : {}),
      ...(buckets ? { allowedBuckets: [...buckets, ...(also.buckets ?? [])] } : {}),
      ...(httpHosts.length ? { allowedHttpHosts: httpHosts } : {}),
    },
    http: maxBytes ? { maxReadAllBytes: maxBytes } : {},
  };
}

/** `EOFN_MAX_READ_MB` in bytes, or undefined when unset (the storages' default then holds). */
export function maxReadBytesFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  if (!env.EOFN_MAX_READ_MB) return undefined;
  const mb = Number(env.EOFN_MAX_READ_MB);
  if (!(mb > 0)) throw new Error(`EOFN_MAX_READ_MB must be a positive number; got "${env.EOFN_MAX_READ_MB}"`);
  return Math.round(mb * 2 ** 20);
}

function list(v: string | undefined): string[] | undefined {
  const items = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
