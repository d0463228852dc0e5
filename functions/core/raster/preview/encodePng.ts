/**
 * A minimal, deterministic PNG encoder: 8-bit RGBA, one IDAT, no ancillary chunks (so no timestamps).
 * Each row gets the filter that minimises the sum of absolute filtered bytes, the heuristic the PNG
 * specification recommends, which keeps ramps and flat nodata areas small.
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const BPP = 4;

/**
 * PNG bytes of an RGBA image (`rgba.length === width * height * 4`, rows top to bottom).
 *
 * @example
 * const png = encodePng(new Uint8Array([255, 0, 0, 255]), 1, 1); // one red pixel
 */
export function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * BPP) {
    throw new RangeError(`RGBA buffer has ${rgba.length} bytes, ${width}x${height} needs ${width * height * BPP}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // compression 0, filter method 0, no interlace: already zero.
  const idat = deflateSync(filterRows(rgba, width, height), { level: 9 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

function filterRows(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * BPP;
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  const zeros = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : zeros;
    let best = -1;
    let bestScore = Infinity;
    const dest = out.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let type = 0; type <= 4; type++) {
      applyFilter(type, row, up, candidate);
      let score = 0;
      for (let i = 0; i < stride; i++) score += candidate[i] < 128 ? candidate[i] : 256 - candidate[i];
      if (score < bestScore) {
        bestScore = score;
        best = type;
        dest.set(candidate);
      }
    }
    out[y * (stride + 1)] = best;
  }
  return out;
}

function applyFilter(type: number, row: Uint8Array, up: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < row.length; i++) {
    const a = i >= BPP ? row[i - BPP] : 0;
    const b = up[i];
    const c = i >= BPP ? up[i - BPP] : 0;
    let predicted = 0;
    if (type === 1) predicted = a;
    else if (type === 2) predicted = b;
    else if (type === 3) predicted = (a + b) >>> 1;
    else if (type === 4) predicted = paeth(a, b, c);
    out[i] = (row[i] - predicted) & 255;
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (ISO 3309, as PNG uses) of `bytes`.
 *
 * @example
 * crc32(Buffer.from('IEND')); // 0xae426082
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
