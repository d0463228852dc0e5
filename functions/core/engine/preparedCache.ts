/**
 * The cache of prepared jobs in a warm function: a container or pod that runs many partitions of one job
 * reads and checks its prepared job once. Keyed by digest and href, so a prepared file recorded anew is read
 * again (and refused unless it matches its digest); a failed read is not kept. Each handler holds one.
 *
 * @example
 * const loadCached = preparedCache();
 * const { prepared, plan } = await loadCached(planned.preparedRef, planned.preparedDigest);
 */
import { loadPrepared, type StoredJob } from './storedJob.ts';

/** Prepared jobs kept: a function seldom serves more jobs at once, and each is at most a few megabytes. */
const KEPT = 16;

export type LoadPrepared = (ref: string, digest: string) => Promise<StoredJob>;

export function preparedCache(kept = KEPT): LoadPrepared {
  return digestKeyedCache(loadPrepared, kept);
}

/**
 * Keeps the last `kept` loads of stored, digest-checked files (prepared jobs, tile plans) by digest and href;
 * a failed load is not kept, so the next call reads again.
 */
export function digestKeyedCache<T>(load: (ref: string, digest: string) => Promise<T>, kept: number): (ref: string, digest: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (ref, digest) => {
    const key = `${digest} ${ref}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = load(ref, digest);
      hit.catch(() => cache.delete(key));
      if (cache.size >= kept) cache.delete(cache.keys().next().value!);
      cache.set(key, hit);
    }
    return hit;
  };
}
