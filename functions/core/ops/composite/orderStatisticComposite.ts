/**
 * The median / percentile composite of one partition, written for speed: each date's assets are read
 * straight into a per-asset stack in the files' own integer type when they allow it (uint8, uint16, int16
 * with a declared nodata: Sentinel-2 L2A is uint16 with nodata 0); joint validity and the mask are applied
 * only when there is more than one asset or a mask. The compiled kernels of `stackPercentile` reduce the
 * stack and count the valid dates. An asset whose dates share one STAC scale (> 0) and offset is reduced in
 * digital numbers and scaled once per output pixel afterwards (a percentile commutes with an increasing
 * affine map); otherwise its dates are scaled as they are read, into a float32 stack.
 * Results are the same as reading every asset as float32 through `readItemAsset` and using the shared
 * reducers: bit for bit on digital numbers, to float32 rounding when scaled.
 *
 * @example
 * const { results, count } = await orderStatisticComposite(setup, window, 50); // one Float32Array per asset
 */
import { relocate } from '../../errors.ts';
import { ARRAY_OF } from '../../raster/dtypes.ts';
import type { Raster } from '../../raster/read/openRaster.ts';
import { readOnGrid } from '../../raster/warp/readOnGrid.ts';
import type { DType, Grid, RasterInfo, TypedArray, Window } from '../../raster/types.ts';
import { openRasterCached } from '../openRasterCached.ts';
import { whereOf, type SetupAsset, type SetupItem } from '../readItemAsset.ts';
import { isIdentity } from '../../stac/assetRadiometry.ts';
import { stackPercentile } from '../reducers.ts';
import type { CompositeSetup } from './compositeSetup.ts';

type Stack = Float32Array | Uint8Array | Uint16Array | Int16Array;

/** Integer types whose values, with their nodata as the missing marker, the integer kernel takes. */
const INTEGER_STACKS: readonly DType[] = ['uint8', 'uint16', 'int16'];

export async function orderStatisticComposite(
  setup: CompositeSetup, window: Window, q: number,
): Promise<{ results: Float32Array[]; count: Float32Array }> {
  const pixels = window.width * window.height;
  const dates = setup.items.length;
  const rasters = await Promise.all(setup.items.map((item) => Promise.all(setup.assets.map((key) => openAsset(item, key)))));
  const affines = setup.assets.map((key) => sharedAffine(setup.items, key));
  const stacks = setup.assets.map((key, a) => affines[a]
    ? stackFor(rasters.map((r, k) => nodataOf(r[a].info, setup.items[k].assets[key])), pixels * dates)
    : { stack: new Float32Array(pixels * dates), missing: NaN });
  const valid = new Uint8Array(pixels);
  const excluded = setup.mask ? classLookup(setup.mask.exclude) : undefined;
  // With one asset and no mask, a date is valid exactly where its value is: no joint pass is needed.
  const joint = stacks.length > 1 || excluded !== undefined;
  for (let k = 0; k < dates; k++) {
    const item = setup.items[k];
    const [layers, mask] = await Promise.all([
      Promise.all(setup.assets.map((key, a) => readLayer(item, key, rasters[k][a], setup.grid, window, !affines[a]))),
      setup.mask ? readMask(item, setup.mask.asset, setup.grid, window) : undefined,
    ]);
    const slots = stacks.map((s) => s.stack.subarray(k * pixels, (k + 1) * pixels));
    slots.forEach((slot, a) => copyInto(slot, layers[a], stacks[a].missing));
    if (!joint) continue;
    valid.fill(1);
    slots.forEach((slot, a) => invalidateMissing(valid, slot, stacks[a].missing));
    if (mask && excluded) invalidateExcluded(valid, mask, excluded);
    slots.forEach((slot, a) => markMissing(slot, valid, stacks[a].missing));
  }
  // Joint validity makes every asset's valid dates the same: the first asset's kernel counts them.
  const count = new Float32Array(pixels);
  const results = stacks.map((s, a) => {
    const out = new Float32Array(pixels);
    stackPercentile(s.stack, pixels, dates, q, out, s.missing, a === 0 ? count : undefined);
    const affine = affines[a];
    if (affine && !isIdentity(affine)) for (let i = 0; i < pixels; i++) out[i] = out[i] * affine.scale + affine.offset;
    return out;
  });
  return { results, count };
}

/**
 * A uint8/uint16/int16 stack (marker: the nodata) when every date of the asset has that type and nodata;
 * otherwise float32 with NaN as the marker.
 */
function stackFor(infos: Pick<RasterInfo, 'dtype' | 'nodata'>[], length: number): { stack: Stack; missing: number } {
  const { dtype, nodata } = infos[0];
  const same = infos.every((i) => i.dtype === dtype && i.nodata === nodata);
  if (same && INTEGER_STACKS.includes(dtype) && nodata !== undefined && Number.isInteger(nodata)) {
    const Ctor = ARRAY_OF[dtype as 'uint8' | 'uint16' | 'int16'];
    const probe = new Ctor(1);
    probe[0] = nodata;
    if (probe[0] === nodata) return { stack: new Ctor(length), missing: nodata };
  }
  return { stack: new Float32Array(length), missing: NaN };
}

interface Layer {
  /** The window's values: the file's own type on the same grid, else float32 from readOnGrid. */
  values: TypedArray;
  /** Value meaning missing besides NaN (the file's nodata) or undefined. */
  nodata: number | undefined;
}

/** The scale and offset every date of `key` shares, when increasing (scale > 0); undefined otherwise. */
function sharedAffine(items: SetupItem[], key: string): { scale: number; offset: number } | undefined {
  const { scale, offset } = items[0].assets[key];
  const shared = scale > 0 && items.every((i) => i.assets[key].scale === scale && i.assets[key].offset === offset);
  return shared ? { scale, offset } : undefined;
}

/** The file's nodata, else the STAC item's. */
function nodataOf(info: RasterInfo, asset: SetupAsset): Pick<RasterInfo, 'dtype' | 'nodata'> {
  return { dtype: info.dtype, nodata: info.nodata ?? asset.nodata };
}

/**
 * On the output grid itself nearest neighbour is the identity, so the window of digital numbers is read in
 * the file's type without readOnGrid's float32 copy; any other grid, and `scaled` layers (physical values),
 * go through readOnGrid (NaN = missing).
 */
async function readLayer(item: SetupItem, key: string, raster: Raster, grid: Grid, window: Window, scaled: boolean): Promise<Layer> {
  const asset = item.assets[key];
  const opts = scaled ? { scale: asset.scale, offset: asset.offset, nodata: asset.nodata } : { nodata: asset.nodata };
  return located(item, key, async () => sameGrid(raster.info.grid, grid) && !scaled
    ? { values: await raster.readWindow(window, 0), nodata: nodataOf(raster.info, asset).nodata }
    : { values: await readOnGrid(raster, grid, window, opts), nodata: undefined });
}

async function readMask(item: SetupItem, key: string, grid: Grid, window: Window): Promise<Float32Array> {
  return located(item, key, async () => readOnGrid(await openRasterCached(item.assets[key]), grid, window, { keepNodata: true }));
}

async function openAsset(item: SetupItem, key: string): Promise<Raster> {
  return located(item, key, () => openRasterCached(item.assets[key]));
}

/** Errors name the item and asset, as readItemAsset's do; bad input stays InputError (not retried). */
async function located<T>(item: SetupItem, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw relocate(e, whereOf(item, key));
  }
}

function sameGrid(a: Grid, b: Grid): boolean {
  return a.crs.trim().toUpperCase() === b.crs.trim().toUpperCase() && a.width === b.width && a.height === b.height
    && a.originX === b.originX && a.originY === b.originY && a.resX === b.resX && a.resY === b.resY;
}

/**
 * One date of one asset into its stack slot, missing values as the stack's marker. Same-type data is a
 * block copy: an integer stack's marker is the files' nodata, so their missing values already carry it.
 */
function copyInto(slot: Stack, layer: Layer, missing: number): void {
  const { values, nodata } = layer;
  const n = slot.length;
  if (values.constructor === slot.constructor && (nodata === undefined || Object.is(nodata, missing))) {
    slot.set(values as Stack);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    slot[i] = v !== v || v === nodata ? missing : v;
  }
}

function invalidateMissing(valid: Uint8Array, slot: Stack, missing: number): void {
  const n = valid.length;
  if (missing !== missing) { for (let i = 0; i < n; i++) if (slot[i] !== slot[i]) valid[i] = 0; }
  else for (let i = 0; i < n; i++) if (slot[i] === missing) valid[i] = 0;
}

function markMissing(slot: Stack, valid: Uint8Array, missing: number): void {
  for (let i = 0; i < slot.length; i++) if (valid[i] === 0) slot[i] = missing;
}

/** Class values 0..255 through a table (SCL-like masks); anything else through the Set. */
function classLookup(exclude: number[]): { table: Uint8Array; set: Set<number> } {
  const table = new Uint8Array(256);
  for (const c of exclude) if (c >= 0 && c < 256) table[c] = 1;
  return { table, set: new Set(exclude) };
}

function invalidateExcluded(valid: Uint8Array, mask: Float32Array, excluded: { table: Uint8Array; set: Set<number> }): void {
  const { table, set } = excluded;
  for (let i = 0; i < valid.length; i++) {
    const m = mask[i];
    const small = m >= 0 && m < 256 && (m | 0) === m;
    if (small ? table[m] === 1 : set.has(m)) valid[i] = 0;
  }
}
