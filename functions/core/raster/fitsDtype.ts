/**
 * Whether `value` can be stored in `dtype` unchanged: a nodata of -9999 cannot fill a uint16 window.
 *
 * @example
 * fitsDtype(-9999, 'uint16'); // false
 */
import { allocate } from './dtypes.ts';
import type { DType } from './types.ts';

export function fitsDtype(value: number, dtype: DType): boolean {
  if (dtype === 'float64') return true;
  if (dtype === 'float32') return Number.isNaN(value) || Math.fround(value) === value;
  const probe = allocate(dtype, 1);
  probe[0] = value;
  return probe[0] === value;
}
