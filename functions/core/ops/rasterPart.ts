/**
 * The bytes of one raster partition's result: a short JSON header (window, dtype, band count) and the raw
 * little-endian bands. Nothing in it depends on time or machine, so a partition that runs twice writes the
 * same bytes and a duplicate message is harmless.
 *
 * @example
 * const bytes = encodeRasterPart({ window, dtype: 'float32', bands: [ndvi] });
 * const { bands } = decodeRasterPart(bytes);
 *
 * Decoded bands are views on the part bytes whenever alignment allows: copy them before changing either.
 */
import { InputError } from '../errors.ts';
import { ARRAY_OF } from '../raster/dtypes.ts';
import type { DType, TypedArray, Window } from '../raster/types.ts';

const MAGIC = 'EOFNPART1\n';

export interface RasterPart {
  window: Window;
  dtype: DType;
  bands: TypedArray[];
}

export function encodeRasterPart(part: RasterPart): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ window: part.window, dtype: part.dtype, bands: part.bands.length }));
  const pixels = part.window.width * part.window.height;
  const sample = ARRAY_OF[part.dtype].BYTES_PER_ELEMENT;
  const dataStart = align8(MAGIC.length + 4 + header.length);
  const out = new Uint8Array(dataStart + pixels * sample * part.bands.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  part.bands.forEach((band, b) => {
    if (band.length !== pixels) throw new Error(`band ${b} has ${band.length} pixels, window has ${pixels}`);
    out.set(new Uint8Array(band.buffer, band.byteOffset, band.byteLength), dataStart + b * pixels * sample);
  });
  return out;
}

export function decodeRasterPart(bytes: Uint8Array, name = 'part'): RasterPart {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new InputError(name, 'not an eofn partition result');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)));
  const Ctor = ARRAY_OF[header.dtype as DType];
  const pixels = header.window.width * header.window.height;
  const dataStart = align8(MAGIC.length + 4 + headerLength);
  if (bytes.byteLength < dataStart + pixels * Ctor.BYTES_PER_ELEMENT * header.bands) {
    throw new InputError(name, 'partition result is truncated');
  }
  // Views when the samples are aligned (the usual case: a file read lands at offset 0), which spares the
  // merge a copy of every part; a copy only when the part bytes sit at an odd offset of a larger buffer.
  const bands: TypedArray[] = [];
  for (let b = 0; b < header.bands; b++) {
    const start = dataStart + b * pixels * Ctor.BYTES_PER_ELEMENT;
    if ((bytes.byteOffset + start) % Ctor.BYTES_PER_ELEMENT === 0) {
      bands.push(new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, pixels));
    } else {
      const copy = bytes.slice(start, start + pixels * Ctor.BYTES_PER_ELEMENT);
      bands.push(new Ctor(copy.buffer, 0, pixels));
    }
  }
  return { window: header.window, dtype: header.dtype, bands };
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
