/**
 * What a cloud function may read, from its deployment's environment: `EOFN_ALLOWED_HOSTS` (https hosts,
 * `*.example.com` for subdomains; an entry written `http://host[:port]` lets that one host be read over plain
 * http) and `EOFN_ALLOWED_BUCKETS` (s3 buckets), comma-separated; unset means any public host / any bucket
 * the credentials reach. `EOFN_MAX_READ_MB` bounds whole-file reads (job, item, parcel files; default 256).
 *
 * @example
 * const { policy, http } = storagePolicyFromEnv(process.env, { hosts: ['stac.dataspace.copernicus.eu'] });
 */
import type { HttpStorageOptions } from '../../core/io/httpStorage.ts';
import type { StoragePolicy } from '../../core/io/storage.ts';

export function storagePolicyFromEnv(env: Record<string, string | undefined>, also: { hosts?: string[]; buckets?: string[] } = {}): { policy: StoragePolicy; http: HttpStorageOptions } {
  const configured = list(env.EOFN_ALLOWED_HOSTS) ?? [];
  const plainHttp = [...configured, ...(also.hosts ?? [])].filter(isHttp).map(bare);
  const httpsHosts = (hosts: string[]) => hosts.filter((h) => !isHttp(h)).map(bare);
  const buckets = list(env.EOFN_ALLOWED_BUCKETS);
  const maxBytes = maxReadBytesFromEnv(env);
  return {
    policy: {
      allowFile: false,
      // An https allow-list exists only when the deployment names https hosts; `also` extends it then.
      ...(httpsHosts(configured).length ? { allowedHosts: [...httpsHosts(configured), ...httpsHosts(also.hosts ?? [])] } : {}),
      ...(plainHttp.length ? { plainHttpHosts: plainHttp } : {}),
      ...(buckets ? { allowedBuckets: [...buckets, ...(also.buckets ?? [])] } : {}),
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

const isHttp = (h: string) => h.startsWith('http://');
const bare = (h: string) => h.replace(/^https?:\/\//, '').replace(/\/+$/, '');

function list(v: string | undefined): string[] | undefined {
  const items = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
