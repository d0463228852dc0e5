/**
 * Checks a COG request before any memory is allocated or any byte is written, naming the offending field.
 */
import { InputError } from '../../errors.ts';
import { epsgCodeOf } from './geoKeysEncode.ts';
import type { DType, Grid, TypedArray } from '../types.ts';

/** The fields of writeCog's `CogInput` that are checked here, declared apart so writeCog.ts and this file do not import each other. */
interface CheckedCogInput {
  grid: Grid;
  bands: TypedArray[];
  dtype: DType;
  nodata?: number;
  descriptions?: string[];
  blockSize?: number;
  level?: number;
}

const ARRAY_OF: Record<DType, new (n: number) => TypedArray> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 4294967295], int32: [-2147483648, 2147483647],
};

/**
 * Throws an InputError (where = `cog.<field>`) if `input` cannot be written as a COG.
 *
 * @example
 * validateCogInput({ grid, bands: [new Float32Array(grid.width * grid.height)], dtype: 'float32' });
 */
export function validateCogInput(input: CheckedCogInput): void {
  const { grid, bands, dtype } = input;
  if (!(dtype in ARRAY_OF)) throw new InputError('cog.dtype', `unsupported dtype "${dtype}"`);
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(grid[k]) || grid[k] < 1) throw new InputError(`cog.grid.${k}`, `must be a positive integer, got ${grid[k]}`);
  }
  for (const k of ['resX', 'resY'] as const) {
    if (!(grid[k] > 0) || !Number.isFinite(grid[k])) throw new InputError(`cog.grid.${k}`, `must be positive, got ${grid[k]}`);
  }
  for (const k of ['originX', 'originY'] as const) {
    if (!Number.isFinite(grid[k])) throw new InputError(`cog.grid.${k}`, `must be finite, got ${grid[k]}`);
  }
  epsgCodeOf(grid.crs);
  if (bands.length === 0) throw new InputError('cog.bands', 'at least one band is needed');
  if (bands.length > 65535) throw new InputError('cog.bands', `too many bands (${bands.length})`);
  const n = grid.width * grid.height;
  bands.forEach((band, i) => {
    if (!(band instanceof ARRAY_OF[dtype])) throw new InputError(`cog.bands[${i}]`, `is not a ${ARRAY_OF[dtype].name} (dtype ${dtype})`);
    if (band.length !== n) throw new InputError(`cog.bands[${i}]`, `has ${band.length} pixels, grid has ${n}`);
  });
  const blockSize = input.blockSize ?? 512;
  if (!Number.isInteger(blockSize) || blockSize < 16 || blockSize % 16 !== 0) {
    throw new InputError('cog.blockSize', `must be a positive multiple of 16 (TIFF tiles), got ${blockSize}`);
  }
  const range = INT_RANGE[dtype];
  if (input.nodata !== undefined && range) {
    const v = input.nodata;
    if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw new InputError('cog.nodata', `${v} is not a ${dtype} value`);
  }
  if (input.descriptions && input.descriptions.length > bands.length) {
    throw new InputError('cog.descriptions', `${input.descriptions.length} descriptions for ${bands.length} bands`);
  }
  if (input.level !== undefined && !(Number.isInteger(input.level) && input.level >= 0 && input.level <= 9)) {
    throw new InputError('cog.level', `zlib level must be 0–9, got ${input.level}`);
  }
}
