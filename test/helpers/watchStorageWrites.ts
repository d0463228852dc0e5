/**
 * Puts a watch on the storage registered for a scheme: `onWrite` hears the href of every object written
 * through it (whole, from a file or as a stream), before the write, whichever function of the process writes.
 * It counts what was written where a test cannot see the writer (a conversion inside a function's prepare).
 *
 * @example
 * const written: string[] = [];
 * watchStorageWrites(`s3://${bucket}/`, (href) => written.push(href));
 */
import { registerStorage, schemeOf, storageFor, type Storage } from '../../functions/core/io/storage.ts';

const WRITES = new Set<PropertyKey>(['write', 'writeFile', 'writeStream']);

/** `href`: any href of the scheme the policy lets through (its bucket, for `s3://`). */
export function watchStorageWrites(href: string, onWrite: (href: string) => void): void {
  const storage = storageFor(href);
  registerStorage(schemeOf(href), new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (!WRITES.has(prop)) return value.bind(target);
      return (to: string, ...rest: unknown[]) => {
        onWrite(to);
        return value.call(target, to, ...rest);
      };
    },
  }) as Storage);
}
