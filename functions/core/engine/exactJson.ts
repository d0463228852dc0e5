/**
 * JSON that gives back exactly what went in: NaN, Infinity and -Infinity (a float product's nodata, an
 * unbounded range) survive the trip through `_eofn/prepared.json`, where `JSON.stringify` would write `null`.
 * A value JSON cannot carry and this format does not know (a bigint, a typed array, a function, a class
 * instance, `undefined` in an array) is refused when written, naming where it is, instead of changing
 * silently on the way to another process.
 *
 * @example
 * const text = toExactJson({ nodata: NaN });   // '{"nodata":{"$eofn:number":"NaN"}}'
 * fromExactJson(text).nodata;                  // NaN
 */
const TAG = '$eofn:number';
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

export function toExactJson(value: unknown): string {
  return JSON.stringify(encode(value, '$'));
}

export function fromExactJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v[TAG] === 'string' && Object.keys(v).length === 1) {
      if (!(v[TAG] in SPECIAL)) throw new Error(`exact JSON: unknown number "${v[TAG]}"`);
      return SPECIAL[v[TAG]];
    }
    return v;
  }) as T;
}

function encode(value: unknown, path: string): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: String(value) };
    case 'string': case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        return value.map((v, i) => {
          if (v === undefined) throw new TypeError(`${path}[${i}]: undefined in an array cannot be stored exactly`);
          return encode(v, `${path}[${i}]`);
        });
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`${path}: a ${proto?.constructor?.name ?? 'non-plain'} object cannot be stored exactly; use plain objects, arrays, strings, numbers`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === TAG) throw new TypeError(`${path}: the key "${TAG}" is reserved`);
        if (v !== undefined) out[k] = encode(v, `${path}.${k}`);
      }
      return out;
    }
    case 'undefined':
      return undefined;
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be stored exactly`);
  }
}
