/** Typed-array constructors and sizes by dtype name. */
import type { DType, TypedArray } from './types.ts';

export const ARRAY_OF = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
} as const;

export function bytesPerSample(dtype: DType): number {
  return ARRAY_OF[dtype].BYTES_PER_ELEMENT;
}

export function allocate(dtype: DType, length: number): TypedArray {
  return new ARRAY_OF[dtype](length);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
