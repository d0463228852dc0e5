/**
 * PackBits (TIFF compression 32773) decoder that never writes more than `expected` bytes. geotiff.js's
 * decoder fails on strips whose last run ends at the buffer end and grows its output without bound.
 *
 * @example
 * unpackBits(new Uint8Array([0xfe, 7, 1, 9, 8]), 5); // [7, 7, 7, 9, 8]
 */
export function unpackBits(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (i < input.length && o < expected) {
    const n = (input[i++] << 24) >> 24;
    if (n >= 0) {
      const literal = input.subarray(i, Math.min(i + n + 1, i + expected - o));
      out.set(literal, o);
      o += literal.length;
      i += n + 1;
    } else if (n !== -128) {
      if (i >= input.length) break;
      const end = Math.min(o + 1 - n, expected);
      out.fill(input[i++], o, end);
      o = end;
    }
  }
  return o === expected ? out : out.subarray(0, o);
}
