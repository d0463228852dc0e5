/**
 * `red-jp2` in an expression is red minus jp2. When that makes an asset lookup fail and an item does have a
 * key `red-jp2`, the error says how to name it: quoted in backticks.
 *
 * @example
 * withQuotingHint(() => setupItemsOf(items, keys), ['`nir-jp2` - red-jp2'], items);
 * // InputError: items[0] (…): asset "jp2" not found; …; "red-jp2" is a key of the item: write it `red-jp2` (an unquoted "-" is minus)
 */
import { InputError } from '../errors.ts';

export function withQuotingHint<T>(lookup: () => T, expressions: string[], items: { assets: Record<string, unknown> }[]): T {
  try {
    return lookup();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const keys = new Set(items.flatMap((i) => Object.keys(i.assets)));
    const meant = expressions.flatMap(hyphenated).find((k) => keys.has(k));
    if (!meant) throw e;
    throw new InputError(e.where, `${e.detail}; "${meant}" is a key of the item: write it \`${meant}\` (an unquoted "-" is minus)`, { cause: e });
  }
}

/** Runs like `red-jp2` or `a-b-c` outside backticks, and every shorter run inside them (`b-c`). */
function hyphenated(src: string): string[] {
  const outside = src.replace(/`[^`]*`/g, ' ');
  return (outside.match(/[A-Za-z_][\w.:]*(?:-[A-Za-z0-9_][\w.:]*)+/g) ?? []).flatMap((run) => {
    const parts = run.split('-');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) for (let j = i + 2; j <= parts.length; j++) out.push(parts.slice(i, j).join('-'));
    return out;
  });
}
