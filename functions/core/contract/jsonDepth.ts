/**
 * How deep a parsed JSON document nests, measured without recursion, so that a hostile job (an inline item
 * with a property nested 20,000 arrays deep) is rejected by path before any recursive code (schema checks,
 * the content hash) can overflow the stack.
 *
 * @example
 * tooDeep({ a: [[[1]]] }, 2); // 'a[0]'
 */
export const MAX_JSON_DEPTH = 64;

/** The path of the first value nested deeper than `limit`, or undefined. */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= limit) return path.length > 60 ? `${path.slice(0, 60)}…` : path || '(job)';
    for (const [k, child] of Object.entries(v)) {
      stack.push({ v: child, depth: depth + 1, path: Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k });
    }
  }
  return undefined;
}
