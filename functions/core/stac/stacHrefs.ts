/**
 * Hrefs as a STAC document writes them: `self` absolute (a local path becomes a file:// URL), every other
 * link relative to the document when both live on the same store, so that a product folder or prefix can be
 * copied with its inputs and its links still resolve from the item's own location, never from the shell's.
 *
 * @example
 * absoluteHref('/data/out/item.json');                          // 'file:///data/out/item.json'
 * relativeHref('/data/in/a.json', 'file:///data/out/item.json'); // '../in/a.json'
 * relativeHref('https://x.org/a.json', 's3://b/out/item.json');  // 'https://x.org/a.json'
 * relativeHref('/work/a.json', 'file:///tmp/out/item.json');     // 'file:///work/a.json'
 */
import { posix } from 'node:path';
import { pathToFileURL } from 'node:url';

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function absoluteHref(href: string): string {
  return HAS_SCHEME.test(href) ? href : pathToFileURL(href).href;
}

/**
 * `target` as seen from the document at `documentHref`: relative when both share a folder on the same
 * store, else absolute (a path that climbs to the root says less than the absolute one).
 */
export function relativeHref(target: string, documentHref: string): string {
  const to = new URL(absoluteHref(target));
  const from = new URL(absoluteHref(documentHref));
  const sameStore = to.protocol === from.protocol && to.host === from.host && !to.search;
  const climbsToRoot = to.protocol === 'file:' && to.pathname.split('/')[1] !== from.pathname.split('/')[1];
  if (!sameStore || climbsToRoot) return to.href;
  const rel = posix.relative(posix.dirname(from.pathname), to.pathname);
  return rel.startsWith('.') ? rel : `./${rel}`;
}
