/**
 * A storage scheme (`<scheme>://path`) over local files whose range reads go through a hook: to count them,
 * slow them down or fail them, with everything else the file storage's. Tests of what an opening or a run
 * reads register one instead of writing out every Storage method.
 *
 * @example
 * const reads: number[] = [];
 * registerSchemeOverFiles('counting', new FileStorage(), (read) => (href, offset, length) => { reads.push(length); return read(href, offset, length); });
 */
import { registerStorage, type Storage } from '../../functions/core/io/storage.ts';

type ReadRange = Storage['readRange'];

/** Told of every whole read and every write, by href (to count item fetches or a file written). */
export interface SchemeWatch {
  readAll?(href: string): void;
  write?(href: string): void;
}

export function registerSchemeOverFiles(scheme: string, files: Storage, hook: (read: ReadRange) => ReadRange, watch: SchemeWatch = {}): void {
  const prefix = new RegExp(`^${scheme}://`);
  const path = (href: string) => href.replace(prefix, '/');
  const read: ReadRange = (href, offset, length) => files.readRange(path(href), offset, length);
  registerStorage(scheme, {
    readRange: hook(read),
    readAll: (href) => { watch.readAll?.(href); return files.readAll(path(href)); },
    size: (href) => files.size(path(href)),
    write: (href, bytes) => { watch.write?.(href); return files.write(path(href), bytes); },
    writeFile: (href, local) => { watch.write?.(href); return files.writeFile(path(href), local); },
    list: (prefix) => files.list(path(prefix)),
    removeAll: (prefix) => files.removeAll(path(prefix)),
    remove: (href) => files.remove(path(href)),
  });
}
