/**
 * TIFF LZW (compression 5) decoder: MSB-first codes of 9 to 12 bits with libtiff's "early change", writing
 * at most `expected` bytes. geotiff.js's decoder builds its output in a growing JS array with no bound, so a
 * small hostile tile could expand to gigabytes; here the output is allocated once from the block size.
 *
 * @example
 * const bytes = decodeLzw(storedTile, 256 * 256 * 2); // Uint8Array of one uint16 256 x 256 tile
 */
const CLEAR = 256;
const END = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

export function decodeLzw(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int16Array(MAX_CODES);
  const last = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let i = 0; i < 256; i++) {
    last[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const totalBits = input.length * 8;
  let next = FIRST_FREE;
  let width = 9;
  let bit = 0;
  let o = 0;
  let old = -1;
  while (bit + width <= totalBits && o < expected) {
    const at = bit >> 3;
    const window = (input[at] << 16) | ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0);
    const code = (window >> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === END) break;
    if (code === CLEAR) {
      next = FIRST_FREE;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW code ${code} follows a clear code`);
      out[o++] = code;
      old = code;
      continue;
    }
    if (code > next || (code === next && next >= MAX_CODES)) throw new Error(`LZW code ${code} is not in the table (${next} entries)`);
    // code === next is the KwKwK case: the string of `old` followed by its own first byte.
    const known = code < next;
    const head = known ? first[code] : first[old];
    if (next < MAX_CODES) {
      prefix[next] = old;
      last[next] = head;
      first[next] = first[old];
      length[next] = length[old] + 1;
      next++;
    }
    o = writeString(out, o, code, prefix, last, length);
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return o === expected ? out : out.subarray(0, o);
}

/** Writes the string of `code` (walked backwards through its prefixes) at `o`, clipped to the output. */
function writeString(
  out: Uint8Array, o: number, code: number, prefix: Int16Array, last: Uint8Array, length: Uint16Array,
): number {
  const n = length[code];
  let c = code;
  for (let i = o + n - 1; i >= o; i--) {
    if (i < out.length) out[i] = last[c];
    c = prefix[c];
  }
  return Math.min(o + n, out.length);
}
