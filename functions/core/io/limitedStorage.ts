/**
 * A storage whose requests pass a limiter first: at most N at once and M per minute, as archives such as
 * the Copernicus Data Space S3 endpoint require of an account (4 connections, 2000 requests/minute for
 * general users). The limiter decides the scope: this process (`localRequestLimiter`) or the whole
 * deployment (the DIAS adapter's PostgreSQL limiter), or both chained.
 *
 * @example
 * const archive = new LimitedStorage(new S3Storage(client), localRequestLimiter({ maxConcurrent: 4, perMinute: 2000 }));
 */
import { writeStreamTo, type Storage } from './storage.ts';

/** Waits until one more request may start; the returned function ends it. */
export interface RequestLimiter {
  acquire(): Promise<() => Promise<void> | void>;
}

export class LimitedStorage implements Storage {
  readonly inner: Storage;
  readonly limiter: RequestLimiter;

  constructor(inner: Storage, limiter: RequestLimiter) {
    this.inner = inner;
    this.limiter = limiter;
  }

  readRange(href: string, offset: number, length: number) { return this.limited(() => this.inner.readRange(href, offset, length)); }
  readAll(href: string) { return this.limited(() => this.inner.readAll(href)); }
  size(href: string) { return this.limited(() => this.inner.size(href)); }
  write(href: string, bytes: Uint8Array, contentType?: string) { return this.limited(() => this.inner.write(href, bytes, contentType)); }
  writeFile(href: string, localPath: string, contentType?: string) { return this.limited(() => this.inner.writeFile(href, localPath, contentType)); }
  /** One request slot for the whole upload: its parts go one after the other. */
  writeStream(href: string, body: AsyncIterable<Uint8Array>, contentType?: string) {
    return this.limited(() => writeStreamTo(this.inner, href, body, contentType));
  }
  list(prefix: string) { return this.limited(() => this.inner.list(prefix)); }
  removeAll(prefix: string) { return this.limited(() => this.inner.removeAll(prefix)); }
  remove(href: string) { return this.limited(() => this.inner.remove(href)); }

  private async limited<T>(request: () => Promise<T>): Promise<T> {
    const release = await this.limiter.acquire();
    try {
      return await request();
    } finally {
      await release();
    }
  }
}

/** Limiters applied in order (e.g. this process's, then the deployment's); released in reverse. */
export function chainLimiters(...limiters: RequestLimiter[]): RequestLimiter {
  return {
    async acquire() {
      const releases: (() => Promise<void> | void)[] = [];
      try {
        for (const l of limiters) releases.push(await l.acquire());
      } catch (e) {
        for (const r of releases.reverse()) await r();
        throw e;
      }
      return async () => { for (const r of releases.reverse()) await r(); };
    },
  };
}
