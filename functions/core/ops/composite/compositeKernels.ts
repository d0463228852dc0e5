/**
 * The per-pixel pieces of a composite that the shared reducers do not provide: joint validity across the
 * assets of one date, the max-NDVI picker, and the cast of a float result to the output type.
 *
 * @example
 * const valid = keepJointlyValid([red, green, blue], count); // NaN in all where any is NaN; count += valid
 */
import { ARRAY_OF } from '../../raster/dtypes.ts';
import type { DType, TypedArray } from '../../raster/types.ts';

/**
 * One date is one observation of all assets: where any asset is NaN (nodata or masked), every asset is set
 * to NaN, so that all statistics of a pixel use the same dates. Counts the valid observations into `count`.
 *
 * @example
 * keepJointlyValid([red, nir], count);
 */
export function keepJointlyValid(layers: Float32Array[], count: Float32Array): void {
  // Layer by layer with a validity byte per pixel: plain indexed loops, no per-pixel iterator.
  const n = count.length;
  const valid = new Uint8Array(n).fill(1);
  for (const layer of layers) for (let i = 0; i < n; i++) if (layer[i] !== layer[i]) valid[i] = 0;
  for (let i = 0; i < n; i++) count[i] += valid[i];
  if (layers.length < 2) return;
  for (const layer of layers) for (let i = 0; i < n; i++) if (valid[i] === 0) layer[i] = NaN;
}

export interface MaxNdviPicker {
  /** Adds one date, in time order: `assets` are the output assets, `red`/`nir` the NDVI inputs. */
  add(assets: Float32Array[], red: Float32Array, nir: Float32Array): void;
  /** Per asset: the value of the date with the highest NDVI, NaN where no date is valid. */
  result(): Float32Array[];
}

/**
 * Keeps, per pixel, the assets of the date with the highest NDVI = (nir - red) / (nir + red), computed in
 * float64. Ties keep the earliest date (strictly greater wins). A valid date whose NDVI is NaN (0/0) ranks
 * below every finite NDVI but is still picked when it is the only valid date.
 *
 * @example
 * const picker = createMaxNdviPicker(pixels, 4);
 * for (const date of dates) picker.add([r, g, b, n], r, n);
 */
export function createMaxNdviPicker(pixels: number, assetCount: number): MaxNdviPicker {
  const best = new Float64Array(pixels).fill(NaN);
  const picked = Array.from({ length: assetCount }, () => new Float32Array(pixels).fill(NaN));
  return {
    add(assets, red, nir) {
      for (let i = 0; i < pixels; i++) {
        const r = red[i], n = nir[i];
        if (r !== r || n !== n) continue;
        let ndvi = (n - r) / (n + r);
        if (ndvi !== ndvi) ndvi = -Infinity;
        const b = best[i];
        if (b === b && !(ndvi > b)) continue;
        best[i] = ndvi;
        for (let a = 0; a < assetCount; a++) picked[a][i] = assets[a][i];
      }
    },
    result: () => picked,
  };
}

const RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 4294967295], int32: [-2147483648, 2147483647],
};

/**
 * A float result in the output type: NaN becomes `nodata`; for integer types, values are rounded half to
 * even (numpy's `rint`) and clipped to the type's range.
 *
 * @example
 * toDtype(Float32Array.of(1.5, NaN), 'uint16', 0); // Uint16Array [2, 0]
 */
export function toDtype(values: Float32Array, dtype: DType, nodata: number): TypedArray {
  if (dtype === 'float32') return values;
  const out = new ARRAY_OF[dtype](values.length);
  const range = RANGE[dtype];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) { out[i] = nodata; continue; }
    if (!range) { out[i] = v; continue; }
    const r = roundHalfEven(v);
    out[i] = r < range[0] ? range[0] : r > range[1] ? range[1] : r;
  }
  return out;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
