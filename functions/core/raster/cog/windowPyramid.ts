/**
 * The overview pyramid of one window of an image. When the window's corner sits on a multiple of
 * blockSize·2^levels and its size is one too (or it reaches the image's edge), each of its levels 0..levels
 * is exactly the same window of the whole image's pyramid, tile for tile: a partition can then compress
 * its own COG tiles at every one of those levels and a merge only has to put them in order.
 *
 * @example
 * const levels = windowPyramid([ndvi], { x: 0, y: 2048, width: 10980, height: 2048 }, { width: 10980, height: 10980 }, 2, 512, 'average', NaN);
 * levels[2].window; // { x: 0, y: 512, width: 2745, height: 512 }
 */
import { halveImage, type Resampling } from './overviews.ts';
import type { TileSource } from './tiffWriterTiles.ts';
import type { TypedArray, Window } from '../types.ts';

export interface WindowLevel extends TileSource {
  /** Where the level's pixels sit in the whole image's level of the same index. */
  window: Window;
}

export function windowPyramid(
  bands: readonly TypedArray[],
  window: Window,
  image: { width: number; height: number },
  levels: number,
  blockSize: number,
  resampling: Resampling,
  nodata?: number,
): WindowLevel[] {
  checkAligned(window, image, blockSize * 2 ** levels);
  const out: WindowLevel[] = [{ bands, width: window.width, height: window.height, window }];
  for (let k = 1; k <= levels; k++) {
    const prev = out[k - 1];
    const f = 2 ** k;
    const w = { x: window.x / f, y: window.y / f, width: Math.ceil(window.width / f), height: Math.ceil(window.height / f) };
    out.push({ bands: prev.bands.map((b) => halveImage(b, prev.width, prev.height, resampling, nodata)), width: w.width, height: w.height, window: w });
  }
  return out;
}

/** A window the planner made must be aligned; anything else is a bug there, said with the numbers. */
export function checkAligned(window: Window, image: { width: number; height: number }, unit: number): void {
  const ok = (start: number, size: number, full: number) => start % unit === 0 && (size % unit === 0 || start + size === full);
  if (!ok(window.x, window.width, image.width) || !ok(window.y, window.height, image.height)) {
    throw new Error(`window ${window.width}x${window.height}+${window.x}+${window.y} is not aligned to ${unit} px within ${image.width}x${image.height}`);
  }
}
