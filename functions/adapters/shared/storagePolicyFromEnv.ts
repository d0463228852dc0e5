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

export function storagePolicyFromEnv(env: Record<string, string | undefined>, also: { hosts?: string[]; buckets?: string[] } = {}): { policy: StoragePolicy; http: HttpStorageOptions } {
  const hosts = list(env.EOFN_ALLOWED_HOSTS);
  const buckets = list(env.EOFN_ALLOWED_BUCKETS);
  const httpHosts = list(env.EOFN_ALLOWED_HTTP_HOSTS)?.map((h) => h.toLowerCase());
  const maxMb = env.EOFN_MAX_READ_MB ? Number(env.EOFN_MAX_READ_MB) : undefined;
  if (maxMb !== undefined && !(maxMb > 0)) throw new Error(`EOFN_MAX_READ_MB must be a positive number; got "${env.EOFN_MAX_READ_MB}"`);
  return {
    policy: {
      allowFile: false,
      ...(hosts ? { allowedHosts: [...hosts, ...(also.hosts ?? [])] } : {}),
      ...(buckets ? { allowedBuckets: [...buckets, ...(also.buckets ?? [])] } : {}),
      ...(httpHosts ? { allowedHttpHosts: httpHosts } : {}),
    },
    http: maxMb ? { maxReadAllBytes: Math.round(maxMb * 2 ** 20) } : {},
  };
}

function list(v: string | undefined): string[] | undefined {
  const items = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
