/**
 * Undoes the TIFF predictors in place. Horizontal differencing (2) works on sample values, so it runs after
 * the bytes are in host order; the floating-point predictor (3) works on bytes, stored most significant plane
 * first whatever the file's byte order (as libtiff writes it), and yields host-order floats.
 *
 * @example
 * undoHorizontalPredictor(new Uint16Array([5, 1, 1]), 3, 1, 1); // -> [5, 6, 7]
 */
import type { TypedArray } from '../types.ts';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Cumulative sum along each row, per sample (`stride` = samples per pixel); typed arrays wrap like libtiff. */
export function undoHorizontalPredictor(data: TypedArray, width: number, rows: number, stride: number): void {
  const rowLength = width * stride;
  for (let r = 0; r < rows; r++) {
    const start = r * rowLength;
    const end = start + rowLength;
    for (let i = start + stride; i < end; i++) data[i] += data[i - stride];
  }
}

/** Decodes predictor-3 rows of `bytes` into host-order samples (`bytesPerSample` 4 or 8) in `out`. */
export function undoFloatingPointPredictor(
  bytes: Uint8Array,
  out: Uint8Array,
  width: number,
  rows: number,
  stride: number,
  bytesPerSample: number,
): void {
  const count = width * stride;
  const rowBytes = count * bytesPerSample;
  for (let r = 0; r < rows; r++) {
    const row = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = stride; i < rowBytes; i++) row[i] = (row[i] + row[i - stride]) & 0xff;
    const base = r * rowBytes;
    for (let b = 0; b < bytesPerSample; b++) {
      const plane = b * count;
      const shift = HOST_LITTLE_ENDIAN ? bytesPerSample - 1 - b : b;
      for (let k = 0; k < count; k++) out[base + k * bytesPerSample + shift] = row[plane + k];
    }
  }
}
