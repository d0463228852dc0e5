/**
 * Opens a JPEG 2000 file (JP2 or bare code-stream) as a Raster: reads its boxes, the code-stream main header
 * and the tile-part index (all checked against JP2_LIMITS before anything is sized from them), its grid
 * (GeoJP2, GMLJP2, else the STAC fallback) and nodata (the STAC fallback: JP2 has no nodata field). Windows
 * then decode only the tiles they touch, at full or reduced resolution.
 *
 * @example
 * const raster = await openJp2Raster(await TiffBytes.open(href), { nodata: 0 });
 * const red = await raster.readWindow({ x: 0, y: 0, width: 1024, height: 1024 });
 */
import { InputError } from '../../../errors.ts';
import { fitsDtype } from '../../fitsDtype.ts';
import type { Raster, RasterFallback } from '../raster.ts';
import type { TiffBytes } from '../tiffBytes.ts';
import type { TypedArray, Window } from '../../types.ts';
import { readJp2Boxes } from './jp2Boxes.ts';
import { readJp2Grid } from './jp2Grid.ts';
import { readJ2kMainHeader } from './j2kMainHeader.ts';
import { readJ2kTileParts, tilePartIndexOf } from './j2kTileParts.ts';
import { readJp2Window } from './readJp2Window.ts';

export async function openJp2Raster(bytes: TiffBytes, fallback: RasterFallback = {}): Promise<Raster> {
  const href = bytes.href;
  const boxes = await readJp2Boxes(bytes);
  const header = await readJ2kMainHeader(bytes, boxes.codestream);
  const grid = await readJp2Grid(href, boxes, header.width, header.height, fallback);
  const parts = await readJ2kTileParts(bytes, header, fallback.jp2TileParts);
  const nodata = fallback.nodata;
  const fill = nodata !== undefined && fitsDtype(nodata, header.dtype) ? nodata : 0;
  let closed = false;
  return {
    info: {
      href, grid, bands: header.components, dtype: header.dtype, nodata,
      blockWidth: Math.min(header.tileWidth, header.width), blockHeight: Math.min(header.tileHeight, header.height),
      descriptions: new Array(header.components).fill(undefined), metadata: {},
    },
    levels: header.levels,
    // Without TLM the index cost a read per tile-part: handed on, so that partitions open the file without them.
    ...(header.tlm ? {} : { jp2TileParts: tilePartIndexOf(bytes.size, parts) }),
    readWindow(window: Window, band = 0, level = 0): Promise<TypedArray> {
      if (closed) return Promise.reject(new InputError(href, 'raster is closed'));
      return readJp2Window({ bytes, header, parts }, window, band, fill, level);
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
